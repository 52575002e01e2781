import '../helpers/no-unhandled.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CancelledError, type Task, TaskGroup, TimeoutError, run, sleep, spawn } from '../../src/index.js';
import { cancelOnBehalf, hooks, taskCancellation } from '../../src/core/internal.js';
import { latch, rejection, tick } from '../helpers/core.js';

/** The cancellation of a task, which must have one. */
function cancellationOf(task: Task): CancelledError {
  const cancel = taskCancellation(task);
  assert.ok(cancel instanceof CancelledError, `${task.path} has no cancellation`);
  return cancel;
}

describe('who asked for a cancellation', () => {
  it('is the task that called task.cancel(), for a child that honours its signal and one that ignores it', async () => {
    const release = latch();
    await run(async () => {
      const honours = spawn('honours', (task) => sleep(60_000, { signal: task.signal }));
      const ignores = spawn('ignores', () => release.promise);
      const boss = spawn('boss', () => {
        honours.cancel('enough');
        ignores.cancel();
      });
      await boss;
      await tick();
      assert.equal(honours.state, 'cancelled');
      assert.equal(ignores.state, 'running');
      for (const task of [honours, ignores]) {
        const request = cancellationOf(task)._request;
        assert.equal(request?.task, boss);
        assert.equal(request?.via, undefined);
      }
      release.release();
    });
  });

  it('is the task that called group.cancel(), and it reaches every task below the group', async () => {
    await run(async (main) => {
      let leaf!: Task;
      const error = await rejection(
        TaskGroup.run('jobs', async (group) => {
          group.spawn('nested', () => {
            leaf = spawn('leaf', () => sleep(60_000));
            return sleep(60_000);
          });
          await tick();
          group.cancel('shutting down');
          await sleep(60_000);
        }),
      );
      assert.ok(error instanceof CancelledError);
      assert.equal(error._request?.task, main);
      assert.equal(cancellationOf(leaf).reason.kind, 'parent-cancelled');
      assert.equal(cancellationOf(leaf)._request?.task, main);
    });
  });

  it('is no task when cancel() is called outside every task', async () => {
    const group = new TaskGroup('outside');
    const task = group.spawn('sleeper', () => sleep(60_000));
    // A callback outside tasktree's context: no task is running.
    await new Promise<void>((resolve) => setImmediate(() => (task.cancel('from a plain callback'), resolve())));
    const request = cancellationOf(task)._request;
    assert.notEqual(request, undefined);
    assert.equal(request?.task, undefined);
    await group[Symbol.asyncDispose]();
  });

  it('is shared by a whole parent-cancelled chain: its root records it once', async () => {
    await run(async () => {
      const gate = latch();
      let leaf!: Task;
      const top = spawn('top', () => {
        spawn('middle', () => {
          leaf = spawn('leaf', () => sleep(60_000));
          gate.release();
          return sleep(60_000);
        });
        return sleep(60_000);
      });
      await gate.promise;
      const asker = spawn('asker', () => top.cancel());
      await asker;
      const cancel = cancellationOf(leaf);
      assert.equal(cancel.reason.kind, 'parent-cancelled');
      assert.equal(cancel._request?.task, asker);
      assert.equal(cancel._request, cancellationOf(top)._request);
    });
  });

  it('names an outside requester and the reason it gave (tasktree cancel, tasktree ui)', async () => {
    await run(async () => {
      const release = latch();
      const honours = spawn('honours', (task) => sleep(60_000, { signal: task.signal }));
      const ignores = spawn('ignores', () => release.promise);
      cancelOnBehalf(honours, 'cli', 'stuck', 'stuck');
      cancelOnBehalf(ignores, 'ui', undefined, 'requested from tasktree ui');
      await tick();
      assert.deepEqual({ ...cancellationOf(honours)._request }, { via: 'cli', given: 'stuck' });
      assert.deepEqual({ ...cancellationOf(ignores)._request }, { via: 'ui', given: undefined });
      assert.equal((cancellationOf(ignores).reason as { reason?: unknown }).reason, 'requested from tasktree ui');
      // The first request wins, as with task.cancel().
      cancelOnBehalf(ignores, 'cli', 'again', 'again');
      assert.equal(cancellationOf(ignores)._request?.via, 'ui');
      release.release();
    });
  });

  it("is the group whose timeout expired, for withTimeout and a group's timeout option", async () => {
    await run(async (main) => {
      let inner!: Task;
      const error = await rejection(
        TaskGroup.run(
          'fetch',
          (group) => {
            inner = group.spawn('slow', () => sleep(60_000));
            return inner;
          },
          { timeout: 5 },
        ),
      );
      assert.ok(error instanceof TimeoutError);
      const request = cancellationOf(inner)._request;
      assert.equal(request?.group?.name, 'fetch');
      assert.equal(request?.group?.owner, main);
    });
  });

  it('is the group whose linked AbortSignal aborted', async () => {
    await run(async () => {
      const controller = new AbortController();
      let inner!: Task;
      const done = TaskGroup.run(
        'linked',
        (group) => {
          inner = group.spawn('worker', () => sleep(60_000));
          return inner;
        },
        { signal: controller.signal },
      );
      await tick();
      controller.abort(new Error('upstream gone'));
      await rejection(done);
      const request = cancellationOf(inner)._request;
      assert.equal(request?.group?.name, 'linked');
      assert.equal(request?.via, undefined);
    });
  });

  it('is the task whose function failed, for the children it leaves behind', async () => {
    let child!: Task;
    let parent!: Task;
    await rejection(
      run(async () => {
        parent = spawn('parent', () => {
          child = spawn('child', () => sleep(60_000));
          throw new Error('boom');
        });
      }),
    );
    assert.equal(cancellationOf(child).reason.kind, 'body-failed');
    assert.equal(cancellationOf(child)._request?.task, parent);
  });

  it('is not recorded for a CancelledError that code made itself', () => {
    assert.equal(new CancelledError({ kind: 'explicit' })._request, undefined);
  });

  it('takes the stack of the cancel() call only while the cancel hook is installed (debug mode)', async () => {
    let calls = 0;
    hooks.cancel = () => {
      calls++;
      return { stack: 'at asker (file:///app/boss.js:3:7)' };
    };
    try {
      await run(async () => {
        const task = spawn('sleeper', () => sleep(60_000));
        await tick();
        task.cancel();
        assert.equal(calls, 1);
        assert.equal(cancellationOf(task)._request?.site?.stack, 'at asker (file:///app/boss.js:3:7)');
      });
    } finally {
      hooks.cancel = undefined;
    }
    await run(async () => {
      const task = spawn('sleeper', () => sleep(60_000));
      await tick();
      task.cancel();
      assert.equal(cancellationOf(task)._request?.site, undefined);
    });
    assert.equal(calls, 1);
  });
});
