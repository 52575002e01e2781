import '../helpers/no-unhandled.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CancelledError, TaskGroup, TaskGroupError, run, spawn, waitFor, type Task } from '../../src/index.js';
import { latch, rejection, tick } from '../helpers/core.js';

describe('awaits as cancellation points', () => {
  it('an await of a task throws the waiting task’s CancelledError as soon as it is cancelled', async () => {
    const forever = latch();
    await TaskGroup.run('g', async (group) => {
      const slow = group.spawn('slow', () => forever.promise);
      const waiting = group.spawn('waiting', async () => {
        await slow;
      });
      await tick();
      waiting.cancel('enough');
      const error = await rejection(waiting);
      assert.ok(error instanceof CancelledError);
      assert.deepEqual(error.reason, { kind: 'explicit', reason: 'enough' });
      // The awaited task goes on in its own scope.
      assert.equal(slow.state, 'running');
      forever.release();
    });
  });

  it('breaks a deadlock: cancelling one task of an await cycle unwinds both', async () => {
    const locks: { a?: Task; b?: Task } = {};
    await TaskGroup.run('g', async (group) => {
      locks.a = group.spawn('lock-a', async () => {
        await tick();
        await locks.b;
      });
      locks.b = group.spawn('lock-b', async () => {
        await tick();
        await locks.a;
      });
      await tick();
      await tick();
      locks.a.cancel('break the cycle');
    });
    assert.equal(locks.a?.state, 'cancelled');
    assert.equal(locks.b?.state, 'cancelled');
  });

  it('waitFor() throws the CancelledError at once; the promise itself is not stopped', async () => {
    const never = latch<string>();
    let error: unknown;
    await run(
      async () => {
        const stuck = spawn('stuck', async () => {
          try {
            await waitFor(never.promise, 'db.query');
          } catch (e) {
            error = e;
            throw e;
          }
        });
        await tick();
        stuck.cancel();
      },
      { dumpSignal: false },
    );
    assert.ok(error instanceof CancelledError);
    assert.equal(never.released, false);
  });

  it('a group body awaiting a task is interrupted when a sibling fails (Promise.all too)', async () => {
    const forever = latch();
    const boom = new Error('boom');
    let bodyError: unknown;
    const error = await rejection(
      TaskGroup.run('g', async (group) => {
        const a = group.spawn('ignores-signal-a', () => forever.promise);
        const b = group.spawn('ignores-signal-b', () => forever.promise);
        group.spawn('fails', async () => {
          await tick();
          throw boom;
        });
        try {
          await Promise.all([a, b]);
        } catch (e) {
          bodyError = e;
          forever.release(); // the children ignore their signal: let them end
          throw e;
        }
      }),
    );
    assert.ok(bodyError instanceof CancelledError);
    assert.equal((bodyError.reason as { kind: string }).kind, 'sibling-failed');
    assert.ok(error instanceof TaskGroupError);
    assert.deepEqual(error.errors, [boom]);
  });

  it('is edge-triggered: after the cancellation, cleanup code can still await a task', async () => {
    const forever = latch();
    let flushed: unknown;
    await TaskGroup.run('g', async (group) => {
      const worker = group.spawn('worker', async () => {
        try {
          await waitFor(forever.promise, 'input'); // interrupted by the cancellation
        } finally {
          // Awaited after the cancellation was delivered: runs to its end.
          flushed = await group.spawn('flush', async () => {
            await tick();
            return 'flushed';
          });
        }
      });
      await tick();
      worker.cancel();
    });
    assert.equal(flushed, 'flushed');
  });
});

describe('a task awaiting itself', () => {
  it('is shown as a deadlock and broken by cancelling it', async () => {
    let self!: Task;
    await TaskGroup.run('g', async (group) => {
      self = group.spawn('self', async () => {
        await tick();
        await self;
      });
      await tick();
      await tick();
      self.cancel('stuck on itself');
    });
    assert.equal(self.state, 'cancelled');
  });
});
