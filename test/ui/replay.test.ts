// `tasktree ui --open FILE` in a real Chromium: a recording replayed with a time slider, the tree
// and the finished tasks showing the state at the slider's time. The recording is written by hand
// (times chosen), so what each time shows is known exactly.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Recording } from '../../src/inspect/recording-schema.js';
import { killAll } from '../cli/helpers.js';
import { startUi } from '../cli/ui/helpers.js';
import type { Ui } from '../cli/ui/helpers.js';
import { launchBrowser } from '../helpers/browser.js';

declare const document: {
  querySelectorAll(selector: string): Iterable<{ getAttribute(name: string): string | null; querySelector(selector: string): { textContent: string | null } | null }>;
};

const T0 = 1_800_000_000_000;
const task = (id: string, name: string, parentId: string | null, path: string, at: number) =>
  ({ id, name, path, parentId, group: parentId === null ? 'main' : 'main', namedGroup: null, daemon: false, attributes: null, createdAt: T0 + at }) as const;

/** main (from 0) spawns fetch (settles at 40) and slow (cancelled at 120, settles at 150); job queued at 60, starts at 80. */
const recording: Recording = {
  recordingVersion: 1,
  pid: 4242,
  node: 'v26.0.0',
  startedAt: T0,
  capturedAt: T0 + 200,
  completeSince: T0,
  capacity: 10_000,
  recorded: 15,
  dropped: 0,
  reason: 'read',
  tasks: [task('r.1', 'main', null, 'main', 0), task('r.2', 'fetch', 'r.1', 'main › fetch', 10), task('r.3', 'slow', 'r.1', 'main › slow', 10), task('r.4', 'job', 'r.1', 'main › job', 60)],
  initial: [],
  events: [
    { seq: 0, at: T0, id: 'r.1', type: 'spawn', queued: false },
    { seq: 1, at: T0, id: 'r.1', type: 'start' },
    { seq: 2, at: T0 + 10, id: 'r.2', type: 'spawn', queued: false },
    { seq: 3, at: T0 + 10, id: 'r.3', type: 'spawn', queued: false },
    { seq: 4, at: T0 + 10, id: 'r.1', type: 'wait', on: { kind: 'task', taskIds: ['r.2'], exclusive: true } },
    { seq: 5, at: T0 + 11, id: 'r.2', type: 'start' },
    { seq: 6, at: T0 + 11, id: 'r.2', type: 'wait', on: { kind: 'promise', label: 'db.query' } },
    { seq: 7, at: T0 + 11, id: 'r.3', type: 'start' },
    { seq: 8, at: T0 + 12, id: 'r.3', type: 'wait', on: { kind: 'sleep', ms: 60_000 } },
    { seq: 9, at: T0 + 40, id: 'r.2', type: 'settle', outcome: 'fulfilled', error: null, cancelled: null },
    { seq: 10, at: T0 + 40, id: 'r.1', type: 'resume' },
    { seq: 11, at: T0 + 60, id: 'r.4', type: 'spawn', queued: true },
    { seq: 12, at: T0 + 80, id: 'r.4', type: 'start' },
    {
      seq: 13,
      at: T0 + 120,
      id: 'r.3',
      type: 'cancel',
      cancelled: { kind: 'explicit', message: 'cancelled explicitly: enough', by: { source: 'task', task: { id: 'r.1', path: 'main' }, group: null, reason: 'enough', message: 'main [r.1]', site: null } },
    },
    { seq: 14, at: T0 + 150, id: 'r.3', type: 'settle', outcome: 'cancelled', error: null, cancelled: { kind: 'explicit', message: 'cancelled explicitly: enough' } },
  ],
};

const dir = mkdtempSync(join(tmpdir(), 'tasktree-replay-'));
const file = join(dir, 'recording.json');
let browser: Browser;
let ui: Ui;
let context: BrowserContext;
let page: Page;
const errors: string[] = [];

before(async () => {
  writeFileSync(file, JSON.stringify(recording));
  browser = await launchBrowser();
  ui = await startUi(['--open', file, '--no-open'], { ...process.env });
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
});

after(async () => {
  await context?.close();
  await browser?.close();
  await killAll();
  rmSync(dir, { recursive: true, force: true });
});

/** The tree's task names, top to bottom. */
async function treeNames(): Promise<string> {
  return page.evaluate(() => {
    const rows = [...document.querySelectorAll('#tree .row.task')];
    rows.sort((a, b) => Number(a.getAttribute('aria-rowindex')) - Number(b.getAttribute('aria-rowindex')));
    return rows.map((row) => row.querySelector('.name')?.textContent ?? '').join();
  });
}

/** Moves the slider to `ms` after the start, and waits until the page shows that time (and those tasks). */
async function slideTo(ms: number, names: string): Promise<void> {
  await page.locator('#replay-slider').fill(String(ms));
  await page.waitForFunction(
    ([expected, time]) => {
      const shown = [...document.querySelectorAll('#replay-time')].map((n) => (n as unknown as { textContent: string }).textContent).join();
      const rows = [...document.querySelectorAll('#tree .row.task')];
      rows.sort((a, b) => Number(a.getAttribute('aria-rowindex')) - Number(b.getAttribute('aria-rowindex')));
      return shown.endsWith(time) && rows.map((row) => row.querySelector('.name')?.textContent ?? '').join() === expected;
    },
    [names, `+${ms} ms`] as const,
    { timeout: 10_000 },
  );
  assert.equal(await treeNames(), names);
}

describe('tasktree ui --open FILE', () => {
  it('serves the recording with no process, and shows it at its end first, with a slider over its span', async () => {
    assert.match(ui.child.stderr(), /replaying a flight recording of pid 4242 \(Node v26\.0\.0\), read from .*recording\.json: 15 events; Ctrl-C to stop/);
    await page.goto(ui.url);
    await page.locator('#replay').waitFor();
    assert.equal(await page.locator('#replay-slider').getAttribute('max'), '200');
    assert.equal(await page.locator('#replay-slider').inputValue(), '200');
    await page.waitForFunction(() => [...document.querySelectorAll('#tree .row.task')].length === 2);
    assert.equal(await treeNames(), 'main,job');
    assert.equal(await page.locator('#status-text').textContent(), 'recording');
    assert.match((await page.locator('#replay-note').textContent()) ?? '', /^15 events over 200 ms$/);
  });

  it('moves through time: the tree shows the tasks alive at the slider’s time, with their state then', async () => {
    await slideTo(5, 'main');
    await slideTo(30, 'main,fetch,slow');
    assert.match((await page.locator('#tree .row.task[data-id="r.2"]').textContent()) ?? '', /db\.query/);
    await slideTo(70, 'main,slow,job');
    assert.match((await page.locator('#tree .row.task[data-id="r.4"]').textContent()) ?? '', /queued/);
    await slideTo(130, 'main,slow,job');
    assert.match((await page.locator('#tree .row.task[data-id="r.3"]').textContent()) ?? '', /cancel/);
    await slideTo(160, 'main,job');
    assert.match((await page.locator('#replay-time').textContent()) ?? '', /\+160 ms$/);
  });

  it('lists the tasks finished by then, and offers no Cancel', async () => {
    await slideTo(50, 'main,slow');
    await page.locator('[data-tab="finished"]').click();
    await page.locator('#finished .row', { hasText: 'fetch' }).waitFor();
    assert.equal(await page.locator('#finished .row').count(), 1);
    await page.locator('[data-tab="tree"]').click();
    await page.locator('#tree .row.task[data-id="r.3"]').click();
    await page.locator('#detail-body').waitFor();
    assert.equal(await page.locator('#detail-cancel').isHidden(), true);
  });

  it('draws the timeline from the recording, up to the slider’s time', async () => {
    await page.locator('[data-tab="timeline"]').click();
    await page.waitForFunction(() => /from the flight recorder/.test([...document.querySelectorAll('#timeline-note')].map((n) => (n as unknown as { textContent: string }).textContent).join()));
    assert.match((await page.locator('#timeline-note').textContent()) ?? '', /^3 tasks over the last .* · from the flight recorder$/);
    assert.deepEqual(errors, []);
  });
});
