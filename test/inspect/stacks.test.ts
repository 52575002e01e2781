import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Snapshot, StackFrame } from '../../src/inspect/schema.js';
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

  /** The innermost frame of the task named `name`. */
  function innermost(snapshot: Snapshot, name: string): StackFrame | undefined {
    return snapshot.tasks.find((task) => task.name === name)?.stack?.[0];
  }

  it('parks no function when no task awaits a promise another function awaits too: one round', async () => {
    const gates = [latch(), latch()];
    await run(
      async () => {
        gates.forEach((gate, k) => spawn(`own-${k}`, () => helper(gate.promise)));
        await tick();
        const snapshot = await captureSnapshot({ stacks: true });
        assert.equal(snapshot.stacks?.rounds, 1);
        for (const name of ['own-0', 'own-1']) {
          assert.equal(innermost(snapshot, name)?.fn, 'helper', name);
          assert.equal(typeof innermost(snapshot, name)?.line, 'number', name);
        }
        for (const gate of gates) gate.release();
      },
      { dumpSignal: false },
    );
  });

  it('takes a second round for a promise several functions await, and shows each awaiter at its line', async () => {
    const shared = latch();
    await run(
      async () => {
        spawn('shared-0', () => helper(shared.promise));
        spawn('shared-1', () => helper(shared.promise));
        await tick();
        const snapshot = await captureSnapshot({ stacks: true });
        assert.equal(snapshot.stacks?.rounds, 2);
        const [first, second] = [innermost(snapshot, 'shared-0'), innermost(snapshot, 'shared-1')];
        assert.equal(first?.fn, 'helper');
        assert.equal(second?.fn, 'helper');
        assert.equal(typeof first?.line, 'number');
        assert.equal(second?.line, first?.line);
        shared.release();
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
