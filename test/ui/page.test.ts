// The page of `tasktree ui` in a real Chromium (playwright-core; the browser comes from the
// @sparticuz/chromium package, see test/helpers/browser.ts), against a live process. Every wait is
// for a condition of the page or the process, never for time.
//
// Screenshots go to a temporary folder, or to docs/images with TASKTREE_SCREENSHOTS=1
// (`npm run screenshots`), which also lets the timeline fill for 50 s first.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { UiState } from '../../src/ui/protocol.js';
import { freePort, isolatedEnv, killAll, privateRuntimeDir, removeDir, startFixture } from '../cli/helpers.js';
import type { Child } from '../cli/helpers.js';
import { startTarget, startUi, state, tell } from '../cli/ui/helpers.js';
import type { Ready, Ui } from '../cli/ui/helpers.js';
import { launchBrowser } from '../helpers/browser.js';

// What the functions run in the page (page.evaluate, waitForFunction) use of the DOM: this file is
// compiled for Node, without the DOM's types.
interface PageElement {
  readonly textContent: string | null;
  readonly dataset: Record<string, string | undefined>;
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageElement | null;
}
declare const document: {
  readonly cookie: string;
  readonly documentElement: PageElement;
  getElementById(id: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
};
interface PageCanvas {
  readonly width: number;
  readonly height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } };
}

const forDocs = process.env['TASKTREE_SCREENSHOTS'] === '1';
const shots = forDocs ? fileURLToPath(new URL('../../../docs/images/', import.meta.url)) : mkdtempSync(join(tmpdir(), 'tasktree-ui-shots-'));
mkdirSync(shots, { recursive: true });
const VIEWPORT = { width: 1280, height: 800 };

let runtimeDir = '';
let env: NodeJS.ProcessEnv = {};
let browser: Browser;

before(async () => {
  runtimeDir = privateRuntimeDir();
  env = isolatedEnv(runtimeDir);
  // rebind.test resolves to loopback: what a DNS-rebinding attacker's name would do.
  browser = await launchBrowser(['--host-resolver-rules=MAP rebind.test 127.0.0.1']);
});

after(async () => {
  await browser?.close();
  await killAll();
  removeDir(runtimeDir);
});

/** The names in the rows of a list, top to bottom as shown (rows are positioned, not ordered, in the DOM). */
function shownNames(page: Page, list: string): Promise<string> {
  return page.evaluate((selector) => {
    const rows = [...document.querySelectorAll(`${selector} .row`)];
    rows.sort((a, b) => Number(a.getAttribute('aria-rowindex')) - Number(b.getAttribute('aria-rowindex')));
    return rows.map((row) => row.querySelector('.c-name')?.textContent ?? '').join();
  }, list);
}

async function waitForNames(page: Page, list: string, expected: string): Promise<void> {
  await page.waitForFunction(
    ([selector, names]) => {
      const rows = [...document.querySelectorAll(`${selector} .row`)];
      rows.sort((a, b) => Number(a.getAttribute('aria-rowindex')) - Number(b.getAttribute('aria-rowindex')));
      return rows.map((row) => row.querySelector('.c-name')?.textContent ?? '').join() === names;
    },
    [list, expected] as const,
  );
  assert.equal(await shownNames(page, list), expected);
}

/** The tree row of the live task named exactly `name`. */
function treeRow(page: Page, name: string): Locator {
  return page.locator('#tree .row.task').filter({ has: page.locator('.name', { hasText: new RegExp(`^${name.replace(/[#.]/g, '\\$&')}$`) }) });
}

async function screenshot(page: Page, name: string): Promise<void> {
  const path = join(shots, `ui-${name}.png`);
  await page.screenshot({ path });
  assert.deepEqual([...readFileSync(path).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], `${path} is a PNG`);
}

/** Errors the page reported: none are expected, CSP violations included. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return errors;
}

describe('the tasktree ui page', () => {
  let target: Child;
  let ready: Ready;
  let ui: Ui;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];

  before(async () => {
    ({ child: target, ready } = await startTarget(env, ['--monitor', '--requests', '3']));
    ui = await startUi([String(target.pid), '--no-open', '--interval', '200'], env);
    context = await browser.newContext({ viewport: VIEWPORT });
    page = await context.newPage();
    errors = watchErrors(page);
  });

  after(() => context?.close());

  it('opens from the printed address, then keeps the token out of the address bar and away from scripts', async () => {
    const response = await page.goto(ui.url);
    assert.equal(response?.status(), 200);
    assert.equal(page.url(), `${ui.origin}/#tree`);
    const cookies = await context.cookies(ui.origin);
    assert.equal(cookies.length, 1);
    assert.equal(cookies[0]?.httpOnly, true);
    assert.equal(cookies[0]?.sameSite, 'Strict');
    assert.equal(await page.evaluate(() => document.cookie), '');
  });

  it('shows the live task tree: tasks, named groups, and identical requests folded into one row', async () => {
    for (const name of ['main', 'worker', 'stubborn', 'locks', 'lock-a', 'lock-b', 'queue', 'job#1', 'job#2']) await treeRow(page, name).waitFor();
    await page.locator('#tree .row.group .name', { hasText: 'http' }).waitFor();
    await page.locator('#tree .row.group .name', { hasText: 'jobs' }).waitFor();
    await page.locator('#tree .row.run', { hasText: 'request#1 … request#3' }).waitFor();
    assert.equal(await page.locator('#tree .row.run .times').first().textContent(), '×3');
    assert.match((await treeRow(page, 'job#2').textContent()) ?? '', /queued/);
  });

  it('highlights the deadlock: a banner with the cycle, and its tasks in red', async () => {
    const banner = page.locator('#deadlocks');
    await banner.waitFor();
    assert.match((await banner.textContent()) ?? '', /^Deadlock: lock-a → lock-b → lock-a/);
    for (const name of ['lock-a', 'lock-b']) assert.match((await treeRow(page, name).getAttribute('class')) ?? '', /\bdeadlocked\b/);
    assert.doesNotMatch((await treeRow(page, 'locks').getAttribute('class')) ?? '', /\bdeadlocked\b/);
  });

  it("shows a task's detail on click: id, path, state, age, wait, awaited by, attributes", async () => {
    await treeRow(page, 'lock-a').click();
    await page.locator(`#detail-body[data-id="${ready.lockA}"]`).waitFor();
    assert.equal(await page.locator('#detail-name').textContent(), 'lock-a');
    assert.equal(await page.locator('#detail-id').textContent(), ready.lockA);
    assert.equal(await page.locator('#detail-state').textContent(), 'waiting · in a deadlock');
    assert.equal(await page.locator('#detail-fields .f-path').textContent(), 'main › locks › lock-a');
    assert.match((await page.locator('#detail-fields .f-waiting').textContent()) ?? '', /^task lock-b for \d/);
    assert.equal(await page.locator('#detail-fields .f-awaitedBy').textContent(), 'locks, lock-b');
    assert.match((await page.locator('#detail-fields .f-age').textContent()) ?? '', /\d+(\.\d)? (ms|s)/);
    await treeRow(page, 'worker').click();
    await page.locator('#detail-fields .f-attributes', { hasText: 'rolebackground' }).waitFor();
    assert.match((await page.locator('#detail-fields .f-waiting').textContent()) ?? '', /^sleep 3600000 ms for/);
  });

  it('follows tasks coming and going without losing the selection, what is open or closed, the scroll, or a half-typed reason', async () => {
    // Open the run of requests, close `queue`, select request#2, scroll, and start typing.
    await page.locator('#tree .row.run', { hasText: 'request#1 … request#3' }).click();
    await treeRow(page, 'request#2').waitFor();
    await treeRow(page, 'queue').locator('.twisty').click();
    await treeRow(page, 'job#1').waitFor({ state: 'detached' });
    await treeRow(page, 'request#2').click();
    await page.locator('#detail-name', { hasText: 'request#2' }).waitFor();
    await page.locator('#cancel-reason').fill('half typed');
    tell(target, 'spawn 40');
    await target.waitForLine(/^spawned 40$/);
    await page.locator('#tree .row.run', { hasText: 'request#1 … request#43' }).waitFor();
    await page.locator('#tree').evaluate((tree) => (tree.scrollTop = 120));
    const scrolled = await page.locator('#tree').evaluate((tree) => tree.scrollTop);
    const workerRow = await treeRow(page, 'worker').elementHandle();
    const revision = Number(await page.evaluate(() => document.documentElement.dataset['revision']));

    tell(target, 'finish 1');
    await target.waitForLine(/^finished 1$/);
    await treeRow(page, 'request#1').waitFor({ state: 'detached' });
    await page.waitForFunction((r) => Number(document.documentElement.dataset['revision']) > r + 1, revision);

    assert.match((await treeRow(page, 'request#2').getAttribute('class')) ?? '', /\bselected\b/, 'still selected');
    assert.equal(await page.locator('#detail-name').textContent(), 'request#2');
    assert.equal(await page.locator('#tree .row.run', { hasText: 'request#2 … request#43' }).getAttribute('aria-expanded'), 'true', 'the run stays open');
    assert.equal(await treeRow(page, 'job#1').count(), 0, 'queue stays closed');
    assert.equal(await page.locator('#tree').evaluate((tree) => tree.scrollTop), scrolled, 'the scroll stays');
    assert.equal(await page.locator('#cancel-reason').inputValue(), 'half typed');
    // The worker's row is the same element, updated in place: the tree is not redrawn wholesale.
    assert.equal(await workerRow?.evaluate((node) => node.isConnected), true);
    await page.locator('#cancel-reason').fill('');
  });

  it('cancels the selected task from the page, and the process sees it (a task that honours its signal)', async () => {
    await page.locator('#tree').evaluate((tree) => (tree.scrollTop = 0));
    await treeRow(page, 'worker').click();
    await page.locator('#detail-name', { hasText: 'worker' }).waitFor();
    await page.locator('#cancel-reason').fill('from the browser');
    await page.locator('#cancel-button').click();
    await target.waitForLine(/^cancelled worker: cancelled explicitly: from the browser$/);
    await page.locator('#detail-actions-list .action.a-settled', { hasText: '“from the browser”' }).waitFor();
    assert.match((await page.locator('#detail-state').textContent()) ?? '', /^finished · fulfilled$/);
    assert.match((await page.locator('#detail-fields .f-cancelled').textContent()) ?? '', /cancelled explicitly: from the browser; by tasktree ui: "from the browser"/);
  });

  it('cancels a task that ignores its signal: the page says the request stands and the task runs on', async () => {
    await treeRow(page, 'stubborn').click();
    await page.locator('#detail-name', { hasText: 'stubborn' }).waitFor();
    await page.locator('#cancel-button').click();
    await target.waitForLine(/^stubborn saw the cancellation$/);
    await page.locator('#detail-actions-list .action.a-requested', { hasText: 'still running' }).waitFor();
    await page.locator('#detail-state', { hasText: 'cancel requested' }).waitFor();
    await treeRow(page, 'stubborn').locator('.badge', { hasText: 'cancel requested' }).waitFor();
  });

  it('shows finished tasks with their outcome, duration, error and who cancelled them', async () => {
    await page.locator('[data-tab=finished]').click();
    const rows = page.locator('#finished .row');
    await rows.filter({ hasText: 'bad-config' }).filter({ hasText: 'rejected' }).filter({ hasText: 'Error: config key "db.url" is missing' }).waitFor();
    await rows.filter({ hasText: 'early-exit' }).filter({ hasText: 'cancelled explicitly: not needed any more' }).waitFor();
    await rows.filter({ hasText: 'worker' }).filter({ hasText: 'fulfilled' }).waitFor();
    await page.locator('#finished-outcome').selectOption('rejected');
    await page.waitForFunction(() => [...document.querySelectorAll('#finished .row')].every((r) => r.textContent?.includes('rejected')));
    await page.locator('#finished-outcome').selectOption('');
  });

  it('sorts and filters the table by name, state and attribute', async () => {
    await page.locator('[data-tab=table]').click();
    await page.locator('#table .row').first().waitFor();
    await page.locator('#filter-attributes').fill('region=us route=/posts');
    // request#3, #9, #15 …: region=us (n % 3 = 0) and route=/posts (odd n).
    await page.waitForFunction(() => {
      const names = [...document.querySelectorAll('#table .row .c-name')].map((c) => c.textContent);
      return names.length > 0 && names.every((n) => /^request#\d*[13579]$/.test(n ?? ''));
    });
    await page.locator('#filter-attributes').fill('');
    await page.locator('#filter-state').selectOption('deadlocked');
    await page.locator('#filter-name').fill('lock');
    await page.locator('#table-head .th[data-column=name]').click();
    await waitForNames(page, '#table', 'lock-a,lock-b');
    await page.locator('#table-head .th[data-column=name]').click();
    await waitForNames(page, '#table', 'lock-b,lock-a');
    await page.locator('#filter-state').selectOption('');
    await page.locator('#filter-name').fill('job');
    await waitForNames(page, '#table', 'job#2,job#1');
    await page.locator('#filter-name').fill('');
  });

  it('draws the timeline: one lane per task, including those that finished', async () => {
    await page.locator('[data-tab=timeline]').click();
    await page.waitForFunction(() => /^\d+ tasks over the last/.test(document.getElementById('timeline-note')?.textContent ?? ''));
    const painted = await page.locator('#timeline-canvas').evaluate((node) => {
      const canvas = node as unknown as PageCanvas;
      const g = canvas.getContext('2d');
      const data = g.getImageData(0, 0, canvas.width, canvas.height).data;
      let coloured = 0;
      for (let i = 0; i < data.length; i += 4) if ((data[i + 3] as number) > 0 && !(data[i] === data[i + 1] && data[i + 1] === data[i + 2])) coloured++;
      return coloured;
    });
    assert.ok(painted > 500, `the lanes are drawn (${painted} coloured pixels)`);
    const s = await state(ui, -1, true);
    assert.ok(s.timeline?.lanes.some((l) => l.name === 'bad-config' && l.outcome === 'rejected'));
    // One lane per name: the requests' db-query tasks share one; a click shows them one by one.
    await page.locator('#timeline-mode').selectOption('name');
    await page.locator('#timeline-order').selectOption('oldest');
    const lanes = page.locator('#timeline-lanes');
    const box = await lanes.boundingBox();
    let found = -1;
    for (let row = 0; row < 40 && found < 0; row++) {
      await page.mouse.move((box?.x ?? 0) + 50, (box?.y ?? 0) + row * 18 + 9);
      if (/^db-query · request#…: \d+ tasks — click to see them one by one$/.test((await lanes.getAttribute('title')) ?? '')) found = row;
    }
    assert.ok(found >= 0, 'a lane for the db-query tasks of the requests');
    await page.mouse.click((box?.x ?? 0) + 50, (box?.y ?? 0) + found * 18 + 9);
    assert.equal(await page.locator('#timeline-mode').inputValue(), 'task');
    assert.equal(await page.locator('#timeline-name').inputValue(), 'db-query');
    await page.waitForFunction(() => /^\d+ of \d+ tasks over the last/.test(document.getElementById('timeline-note')?.textContent ?? ''));
    await page.locator('#timeline-name').fill('');
    await page.locator('#timeline-order').selectOption('newest');
    await page.locator('[data-tab=tree]').click();
  });

  it('refuses a page load without the token, and a load through a rebound name', async () => {
    const stranger = await browser.newContext();
    try {
      const strangerPage = await stranger.newPage();
      const response = await strangerPage.goto(`${ui.origin}/`);
      assert.equal(response?.status(), 401);
      assert.match(await strangerPage.locator('body').textContent() ?? '', /needs its token/);
      const rebound = await strangerPage.goto(`http://rebind.test:${new URL(ui.origin).port}/?token=${ui.token}`);
      assert.equal(rebound?.status(), 403);
      assert.match(await strangerPage.locator('body').textContent() ?? '', /answers only to/);
    } finally {
      await stranger.close();
    }
  });

  it('refuses a POST (and any read) from a page of another origin, though the browser sends it the cookie', async () => {
    // Same site (127.0.0.1), another port: SameSite=Strict lets the cookie go; the Origin check stops it.
    let formPage = '';
    const evil: Server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(formPage);
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    const evilPage = await context.newPage();
    try {
      formPage =
        `<!doctype html><title>evil</title><form method="post" enctype="text/plain" action="${ui.origin}/api/cancel">` +
        `<input name='{"task":"${ready.lockA}","x":"' value='"}'><button>win a prize</button></form>`;
      const before = await state(ui);
      await evilPage.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
      const [response] = await Promise.all([evilPage.waitForNavigation(), evilPage.locator('button').click()]);
      const sent = await response?.request().allHeaders();
      assert.match(sent?.['cookie'] ?? '', new RegExp(`tasktree-ui-\\d+=${ui.token}`), 'the browser sent the cookie');
      assert.equal(sent?.['origin'], `http://127.0.0.1:${(evil.address() as AddressInfo).port}`);
      assert.equal(response?.status(), 403);
      assert.match((await evilPage.locator('body').textContent()) ?? '', /BAD_ORIGIN/);
      // A script of that page cannot read the state either.
      await evilPage.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
      const read = await evilPage.evaluate((origin) => fetch(`${origin}/api/state`, { credentials: 'include' }).then(() => 'read', () => 'blocked'), ui.origin);
      assert.equal(read, 'blocked');
      const after = await state(ui);
      assert.equal(after.actions.length, before.actions.length, 'no action was taken');
      assert.equal(after.snapshot?.tasks.find((t) => t.id === ready.lockA)?.cancelled, null);
    } finally {
      await evilPage.close();
      evil.close();
    }
  });

  it('says plainly when the process exits, and keeps its last view', async () => {
    await treeRow(page, 'main').waitFor();
    tell(target, 'exit');
    await target.exited;
    await page.locator('#banner[data-kind="exited"]', { hasText: `pid ${target.pid} exited. This is its last snapshot` }).waitFor();
    assert.equal(await page.locator('#status').getAttribute('data-status'), 'exited');
    await treeRow(page, 'main').click();
    await page.locator('#detail-name', { hasText: 'main' }).waitFor();
    assert.equal(await page.locator('#cancel-button').isDisabled(), true, 'nothing to cancel in a process that is gone');
  });

  it('says so when tasktree ui itself stops', async () => {
    ui.child.process.kill('SIGINT');
    assert.equal((await ui.child.exited).code, 0);
    await page.locator('#banner[data-kind="gone"]', { hasText: 'tasktree ui does not answer' }).waitFor();
    assert.deepEqual(errors.filter((e) => !/Failed to load resource|ERR_CONNECTION_REFUSED/.test(e)), []);
  });
});

describe('the page and what a snapshot may hold', () => {
  let ui: Ui;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    const target = await startFixture('ui-fake-agent', { nodeArgs: [`--inspect-port=${await freePort()}`], env });
    ui = await startUi([String(target.pid), '--no-open', '--transport', 'inspector', '--interval', '200'], env);
    context = await browser.newContext({ viewport: VIEWPORT });
    page = await context.newPage();
    await page.goto(ui.url);
  });

  after(async () => {
    await context?.close();
    ui?.child.process.kill('SIGINT');
    await ui?.child.exited;
  });

  it("shows a task's async stack when the snapshot has one, its debug-mode sites, and all it says of who cancelled it", async () => {
    await treeRow(page, 'fetch-user').click();
    await page.locator('#detail-stack').waitFor();
    const frames = await page.locator('#detail-stack-list li').allTextContents();
    assert.deepEqual(frames, ['queryUser (src/db.ts:88:17)', 'handle (src/server.ts:44:18)']);
    const sites = await page.locator('#detail-sites-body').textContent();
    assert.match(sites ?? '', /created atat handle \(src\/server\.ts:42:11\)/);
    assert.match(sites ?? '', /last awaited a task atat handle \(src\/server\.ts:44:18\)/);
    assert.match(sites ?? '', /cancel\(\) was called atcheck \(src\/supervisor\.ts:20:9\)/);
    const cancelled = page.locator('#detail-fields .f-cancelled');
    assert.match((await cancelled.textContent()) ?? '', /^cancelled explicitly: too slow; by main › supervisor \[fake\.9\] — 300 ms ago, still running$/);
    assert.equal(await cancelled.locator('[data-select="fake.9"]').textContent(), 'main › supervisor', 'the task that asked is a link');
    await treeRow(page, 'main').click();
    await page.locator('#detail-name', { hasText: 'main' }).waitFor();
    assert.equal(await page.locator('#detail-stack').isHidden(), true, 'no stack, no section');
  });

  it('shows markup in task names, wait labels and attributes as text, never as markup', async () => {
    const name = '<img src=x onerror="document.title=\'pwned\'">';
    await treeRow(page, name).click();
    await page.locator('#detail-name', { hasText: name }).waitFor();
    assert.equal(await page.locator('#tree img, #detail img:not(.brand img), #tree b, #detail i').count(), 0);
    assert.match((await treeRow(page, name).textContent()) ?? '', /waiting on <b>bold<\/b>/);
    assert.match((await page.locator('#detail-fields .f-attributes').textContent()) ?? '', /<i>k<\/i><script>/);
    assert.equal(await page.title(), 'tasktree ui');
  });
});

describe('screenshots of the tasktree ui page', () => {
  it('shows a busy service: tree and detail, table, timeline, and the exited state', async () => {
    const { child: target } = await startTarget(env, ['--monitor', '--churn', '--requests', '12']);
    const ui = await startUi([String(target.pid), '--no-open'], env);
    const context = await browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    const errors = watchErrors(page);
    try {
      await page.goto(ui.url);
      // Enough history for a timeline worth looking at: 50 s for the docs, a few lanes otherwise.
      const span = forDocs ? 50_000 : 0;
      let s: UiState = await state(ui, -1, true);
      while ((s.timeline?.lanes.filter((l) => l.outcome !== null).length ?? 0) < 5 || (s.timeline?.end ?? 0) - (s.timeline?.lanes[0]?.createdAt ?? Infinity) < span) {
        s = await state(ui, s.revision, true);
      }
      await page.locator('#tree .row.run', { hasText: 'request#1 … request#12' }).click();
      await treeRow(page, 'lock-a').click();
      await page.locator('#detail-name', { hasText: 'lock-a' }).waitFor();
      await screenshot(page, 'tree');
      await page.locator('[data-tab=table]').click();
      await page.locator('#table .row').first().waitFor();
      await screenshot(page, 'table');
      await page.locator('[data-tab=finished]').click();
      await page.locator('#finished .row.o-rejected').first().waitFor();
      await page.locator('#finished .row.o-rejected').first().click();
      await screenshot(page, 'finished');
      await page.locator('[data-tab=timeline]').click();
      await page.waitForFunction(() => /^\d+ tasks over the last/.test(document.getElementById('timeline-note')?.textContent ?? ''));
      await screenshot(page, 'timeline');
      await page.locator('#timeline-mode').selectOption('name');
      await page.locator('#timeline-order').selectOption('oldest');
      await screenshot(page, 'timeline-by-name');
      await page.locator('[data-tab=tree]').click();
      tell(target, 'exit');
      await target.exited;
      await page.locator('#banner[data-kind="exited"]').waitFor();
      await screenshot(page, 'exited');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
      ui.child.process.kill('SIGINT');
      await ui.child.exited;
    }
  });
});
