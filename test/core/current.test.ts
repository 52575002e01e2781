import '../helpers/no-unhandled.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TaskGroup, currentTask, run, sleep, spawn, waitFor, type Task } from '../../src/index.js';
import { tick } from '../helpers/core.js';

describe('currentTask()', () => {
  it('is undefined outside any task', async () => {
    assert.equal(currentTask(), undefined);
    await TaskGroup.run('top', () => {
      // A top-level group body has no owner task.
      assert.equal(currentTask(), undefined);
    });
    assert.equal(currentTask(), undefined);
  });

  it('is the running task, correct across interleaved awaits of several tasks', async () => {
    const mismatches: string[] = [];
    await TaskGroup.run('g', (g) => {
      for (let i = 0; i < 20; i++) {
        g.spawn(`t${i}`, async (task) => {
          for (let step = 0; step < 10; step++) {
            if (currentTask() !== task) mismatches.push(`${task.name} step ${step}`);
            if ((i + step) % 3 === 0) await tick();
            else if ((i + step) % 3 === 1) await sleep(0);
            else await Promise.resolve();
          }
        });
      }
    });
    assert.deepEqual(mismatches, []);
  });

  it('inside a TaskGroup.run body is the task that owns the group', async () => {
    await run(async (main) => {
      await TaskGroup.run('inner', async () => {
        assert.equal(currentTask(), main);
        await tick();
        assert.equal(currentTask(), main);
      });
      const child = spawn('child', async (task) => {
        await TaskGroup.run('nested', () => assert.equal(currentTask(), task));
      });
      await child;
    });
  });

  it('is carried into callbacks scheduled by the task', async () => {
    let seen: Task | undefined;
    let self: Task | undefined;
    await run(async (main) => {
      self = main;
      await new Promise<void>((resolve) =>
        setTimeout(() => {
          seen = currentTask();
          resolve();
        }, 1),
      );
    });
    assert.equal(seen, self);
  });
});

describe('waitFor()', () => {
  it('returns the promise’s outcome, inside and outside tasks', async () => {
    assert.equal(await waitFor(Promise.resolve(1), 'outside'), 1);
    assert.equal(await run(() => waitFor(Promise.resolve(2), 'db.query')), 2);
    assert.throws(() => waitFor(Promise.resolve(), ''), /waitFor\(promise, label\): expected name to be a non-empty string/);
  });
});
