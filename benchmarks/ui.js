#!/usr/bin/env node
// `npm run bench:ui`: what `tasktree ui` costs against a process with 10,000 live tasks.
//
// Starts the ui test fixture with `--many 10000` (1,000 tasks of 9 children each, plus the
// fixture's own ≈30), `tasktree ui PID --no-open` on it, and the browser the tests use; then
//   - loads the page LOADS times (a fresh browser context each time) and times navigation →
//     the first render with the snapshot (`performance.mark('tasktree:first-render')`);
//   - follows UPDATES updates on each tab and reads, per update: the CLI's side (the snapshot's
//     request → answer, which includes the capture in the target and the transport; and the
//     serialisation of the page's state, from `stats`), and the page's side (parsing the state's
//     JSON, and applying it: `data-apply-ms`, the time renderAll() took).
// Prints medians with min–max. Usage: node benchmarks/ui.js [--tasks N] [--loads N] [--updates N]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { launchBrowser } = await import(join(root, 'dist/test/helpers/browser.js'));

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const TASKS = arg('--tasks', 10_000);
const LOADS = arg('--loads', 7);
const UPDATES = arg('--updates', 15);

function firstLine(child, pattern) {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      if (pattern.test(line)) resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`${child.spawnargs.join(' ')} exited (${code}) first`)));
  });
}

function summary(values, unit = 'ms') {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const f = (v) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
  return `${f(median)} ${unit} (${f(sorted[0])}–${f(sorted[sorted.length - 1])}, n = ${values.length})`;
}

const runtime = mkdtempSync(join(tmpdir(), 'tasktree-bench-ui-'));
const env = { ...process.env, XDG_RUNTIME_DIR: runtime };
delete env.TASKTREE_MONITOR;
const children = [];
let browser;
try {
  const target = spawn(process.execPath, [join(root, 'dist/test/fixtures/ui-target.js'), '--monitor', '--many', String(TASKS)], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(target);
  await firstLine(target, /^ready /);
  const ui = spawn(process.execPath, [join(root, 'dist/src/cli/main.js'), 'ui', String(target.pid), '--no-open'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(ui);
  const url = (await firstLine(ui, /^tasktree ui: http/)).slice('tasktree ui: '.length);
  browser = await launchBrowser();
  console.log(`tasktree ui against ${TASKS.toLocaleString('en')} tasks · Node ${process.version} · pid ${target.pid}`);

  // Page load: navigation → first render with the snapshot.
  const loads = [];
  for (let i = 0; i < LOADS; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForFunction(() => performance.getEntriesByName('tasktree:first-render').length > 0, null, { timeout: 60_000 });
    loads.push(await page.evaluate(() => performance.getEntriesByName('tasktree:first-render')[0].startTime));
    await context.close();
  }
  console.log(`page load, navigation → tree drawn:   ${summary(loads)}`);

  // Updates, tab by tab.
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => performance.getEntriesByName('tasktree:first-render').length > 0, null, { timeout: 60_000 });
  const server = { fetch: [], serialize: [], bytes: [], plainSerialize: [], plainBytes: [] };
  const parse = [];
  const plainParse = [];
  // The state as the page reads it, parsed in the page; the CLI's stats ride along.
  const readState = (revision, timeline) =>
    page.evaluate(
      async ([r, t]) => {
        const text = await (await fetch(`/api/state?after=${r}${t ? '&timeline=1' : ''}`)).text();
        const t0 = performance.now();
        const state = JSON.parse(text);
        return { parseMs: performance.now() - t0, stats: state.stats, revision: state.revision };
      },
      [revision, timeline],
    );
  for (const tab of ['tree', 'table', 'timeline']) {
    await page.locator(`[data-tab=${tab}]`).click();
    const apply = [];
    let revision = Number(await page.evaluate(() => document.documentElement.dataset.revision));
    for (let i = 0; i < UPDATES; i++) {
      await page.waitForFunction((r) => Number(document.documentElement.dataset.revision) > r, revision, { timeout: 60_000 });
      revision = Number(await page.evaluate(() => document.documentElement.dataset.revision));
      apply.push(Number(await page.evaluate(() => document.documentElement.dataset.applyMs)));
    }
    console.log(`page: apply one update (${tab.padEnd(8)}):  ${summary(apply)}`);
    if (tab === 'tree') {
      for (let i = 0; i < UPDATES; i++) {
        const read = await readState(revision, false);
        revision = read.revision;
        plainParse.push(read.parseMs);
        server.plainSerialize.push(read.stats.serializeMs);
        server.plainBytes.push(read.stats.stateBytes / 1024 / 1024);
      }
    }
    if (tab === 'timeline') {
      for (let i = 0; i < UPDATES; i++) {
        const read = await readState(revision, true);
        revision = read.revision;
        parse.push(read.parseMs);
        server.fetch.push(read.stats.fetchMs);
        server.serialize.push(read.stats.serializeMs);
        server.bytes.push(read.stats.stateBytes / 1024 / 1024);
      }
    }
  }
  console.log(`page: parse the state's JSON:          ${summary(plainParse)}; with the timeline ${summary(parse)}`);
  console.log(`CLI: snapshot request → answer:        ${summary(server.fetch)}`);
  console.log(`CLI: serialise the state:              ${summary(server.plainSerialize)}; with the timeline ${summary(server.serialize)}`);
  console.log(`state size:                            ${summary(server.plainBytes, 'MiB')}; with the timeline ${summary(server.bytes, 'MiB')}`);
  await context.close();
} finally {
  await browser?.close();
  for (const child of children) child.kill('SIGKILL');
  rmSync(runtime, { recursive: true, force: true });
}
