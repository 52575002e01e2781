import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Snapshot } from '../../src/inspect/schema.js';
import { run, spawn } from '../../src/index.js';
import { captureSnapshot } from '../../src/inspect/index.js';
import { fixture, startChild } from '../helpers/child.js';
import { latch, tick } from '../helpers/core.js';
import { checkStacks, compiled, source, tags } from '../helpers/stacks.js';

async function snapshotOf(sourceMaps: boolean): Promise<Snapshot> {
  const child = startChild(compiled, ['print'], { NODE_OPTIONS: sourceMaps ? '--enable-source-maps' : '' });
  await child.waitFor((c) => c.stdout.includes('\n'), 'the snapshot', 60_000);
  await child.exited;
  return JSON.parse(child.stdout) as Snapshot;
}

describe('captureSnapshot({ stacks: true })', () => {
  it('shows where every task is suspended, in the TypeScript source when the process has source maps', async () => {
    checkStacks(await snapshotOf(true), 'test/fixtures/stacks-target.ts', tags(source), 'report');
  });

  it('shows the compiled JavaScript lines when it has none', async () => {
    checkStacks(await snapshotOf(false), 'dist/test/fixtures/stacks-target.js', tags(compiled), 'report');
  });
});

describe('the probe’s rounds', () => {
  async function helper(gate: Promise<void>): Promise<void> {
    await gate;
  }

  it('parks no function when no task awaits a promise another function awaits too: one round', async () => {
    const release = latch();
    await run(
      async () => {
        spawn('own-1', () => helper(new Promise<void>((resolve) => void release.promise.then(resolve))));
        spawn('own-2', () => helper(new Promise<void>((resolve) => void release.promise.then(resolve))));
        await tick();
        const snapshot = await captureSnapshot({ stacks: true });
        assert.equal(snapshot.stacks?.rounds, 1);
        for (const name of ['own-1', 'own-2']) {
          const frames = snapshot.tasks.find((task) => task.name === name)?.stack ?? [];
          assert.equal(frames[0]?.fn, 'helper', name);
          assert.equal(typeof frames[0]?.line, 'number', name);
        }
        release.release();
      },
      { dumpSignal: false },
    );
  });

  it('takes a second round for a promise several functions await, and shows each awaiter at its line', async () => {
    const release = latch();
    await run(
      async () => {
        spawn('shared-1', () => helper(release.promise));
        spawn('shared-2', () => helper(release.promise));
        await tick();
        const snapshot = await captureSnapshot({ stacks: true });
        assert.equal(snapshot.stacks?.rounds, 2);
        const lines = ['shared-1', 'shared-2'].map((name) => {
          const frames = snapshot.tasks.find((task) => task.name === name)?.stack ?? [];
          assert.equal(frames[0]?.fn, 'helper', name);
          return frames[0]?.line;
        });
        assert.equal(typeof lines[0], 'number');
        assert.equal(lines[1], lines[0]);
        release.release();
      },
      { dumpSignal: false },
    );
  });
});

describe('taking stacks never harms the process', () => {
  it('survives thousands of tasks resuming meanwhile, shows no wrong line, leaves V8 fast paths and memory as they were', async () => {
    const child = startChild(fixture('stacks-churn'), ['2000', '3'], { NODE_OPTIONS: '' }, ['--allow-natives-syntax', '--expose-gc']);
    await child.waitFor((c) => c.stdout.includes('\n'), 'the churn report', 240_000);
    const { code } = await child.exited;
    assert.equal(code, 0, child.stderr);
    const report = JSON.parse(child.stdout) as {
      rounds: unknown[];
      frames: number;
      withLine: number;
      wrong: string[];
      protectorsBefore: Record<string, boolean>;
      protectorsAfter: Record<string, boolean>;
      heapBefore: number;
      heapAfter: number;
    };
    assert.equal(report.rounds.length, 3);
    assert.deepEqual(report.wrong, [], 'every line shown is a line the function can be suspended at');
    assert.ok(report.withLine > 0, 'some frames were walked while the tasks churned');
    assert.deepEqual(report.protectorsAfter, report.protectorsBefore, 'no V8 protector was invalidated');
    assert.ok(Object.values(report.protectorsBefore).every(Boolean));
    assert.ok(report.heapAfter - report.heapBefore < 1024 * 1024, `the heap grew by ${report.heapAfter - report.heapBefore} bytes over ten probes`);
  });
});
