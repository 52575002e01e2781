import '../helpers/no-unhandled.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { type Task, TaskGroup, run, sleep, spawn, withTimeout } from '../../src/index.js';
import { cancelOnBehalf } from '../../src/core/internal.js';
import type { CancelInfo, CancelOrigin } from '../../src/inspect/schema.js';
import { captureSnapshot } from '../../src/inspect/snapshot.js';
import { fixture, latch, outcome, rejection, runFixture, tick } from '../helpers/core.js';

/** The history record's cancellation of `task`. */
function finishedCancel(task: Task): CancelInfo | null {
  const found = captureSnapshot().finished.findLast((f) => f.id === task.id);
  assert.ok(found !== undefined, `${task.path} is not in the history`);
  return found.cancelled;
}

function liveCancel(task: Task): CancelInfo | null {
  const found = captureSnapshot().tasks.find((t) => t.id === task.id);
  assert.ok(found !== undefined, `${task.path} is not live`);
  return found.cancelled;
}

const ref = (task: Task): CancelOrigin['task'] => ({ id: task.id, path: task.path });

describe('who cancelled whom, in the snapshot', () => {
  it('names the task that called cancel(), live while a task ignores its signal and in the history once it ends', async () => {
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
      const expected = { source: 'task', task: ref(boss), group: null, message: `main › boss [${boss.id}]`, site: null };
      assert.deepEqual(finishedCancel(honours), {
        kind: 'explicit',
        message: 'cancelled explicitly: enough',
        by: { ...expected, reason: 'enough' },
      });
      const live = liveCancel(ignores);
      assert.deepEqual(live?.by, { ...expected, reason: null });
      assert.ok(Object.isFrozen(live?.by) && Object.isFrozen(live?.by?.task));
      release.release();
    });
  });

  it('says cancel() was called outside any task', async () => {
    const group = new TaskGroup('outside');
    const task = group.spawn('sleeper', () => sleep(60_000));
    await new Promise<void>((resolve) => setImmediate(() => (task.cancel(), resolve())));
    await group[Symbol.asyncDispose]();
    assert.deepEqual(finishedCancel(task)?.by, { source: 'outside', task: null, group: null, reason: null, message: 'code outside any task', site: null });
  });

  it('names tasktree cancel and tasktree ui with the reason they gave', async () => {
    await run(async () => {
      const a = spawn('a', (task) => sleep(60_000, { signal: task.signal }));
      const b = spawn('b', (task) => sleep(60_000, { signal: task.signal }));
      cancelOnBehalf(a, 'cli', 'stuck', 'stuck');
      cancelOnBehalf(b, 'ui', undefined, 'requested from tasktree ui');
      await tick();
      assert.deepEqual(finishedCancel(a)?.by, { source: 'cli', task: null, group: null, reason: 'stuck', message: 'tasktree cancel: "stuck"', site: null });
      assert.deepEqual(finishedCancel(b)?.by, { source: 'ui', task: null, group: null, reason: null, message: 'tasktree ui (no reason given)', site: null });
    });
  });

  it("names the timeout's group and the task it belongs to", async () => {
    await run(async () => {
      let inner!: Task;
      const worker = spawn('worker', () =>
        withTimeout(5, () => {
          inner = spawn('slow', () => sleep(60_000));
          return inner;
        }).catch((error: unknown) => error),
      );
      assert.equal((await worker as Error).name, 'TimeoutError');
      assert.deepEqual(finishedCancel(inner)?.by, {
        source: 'timeout',
        task: ref(worker),
        group: 'withTimeout(5)',
        reason: null,
        message: `the 5 ms timeout of 'withTimeout(5)' (in main › worker [${worker.id}])`,
        site: null,
      });
    });
  });

  it('names the group whose linked AbortSignal aborted, and its reason', async () => {
    await run(async (main) => {
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
      assert.deepEqual(finishedCancel(inner)?.by, {
        source: 'abort-signal',
        task: ref(main),
        group: 'linked',
        reason: 'Error: upstream gone',
        message: `the AbortSignal linked to 'linked' (in main [${main.id}]): Error: upstream gone`,
        site: null,
      });
    });
  });

  it('names the failed sibling, and the task whose body failed', async () => {
    let sibling!: Task;
    let failing!: Task;
    let parent!: Task;
    let orphan!: Task;
    await outcome(
      run(async () => {
        sibling = spawn('sibling', () => sleep(60_000));
        failing = spawn('db', () => Promise.reject(new Error('down')));
        parent = spawn('parent', () => {
          orphan = spawn('orphan', () => sleep(60_000));
          throw new Error('boom');
        });
      }),
    );
    assert.deepEqual(finishedCancel(sibling)?.by, {
      source: 'sibling-failed',
      task: ref(failing),
      group: null,
      reason: 'Error: down',
      message: `main › db [${failing.id}], which failed: Error: down`,
      site: null,
    });
    assert.deepEqual(finishedCancel(orphan)?.by, {
      source: 'body-failed',
      task: ref(parent),
      group: 'parent',
      reason: 'Error: boom',
      message: `the body of 'parent' (in main › parent [${parent.id}]), which failed: Error: boom`,
      site: null,
    });
  });

  it('names the scope whose rest finished, for a daemon', async () => {
    let daemon!: Task;
    await run(async (main) => {
      daemon = spawn('ticker', () => sleep(60_000), { daemon: true });
      assert.equal(main.name, 'main');
    });
    assert.equal(finishedCancel(daemon)?.by?.source, 'scope-done');
    assert.equal(finishedCancel(daemon)?.by?.group, 'main');
  });

  it('names what cancelled the first ancestor, for a task cancelled with its parent', async () => {
    await run(async () => {
      let leaf!: Task;
      const top = spawn('top', () => {
        leaf = spawn('leaf', () => sleep(60_000));
        return sleep(60_000);
      });
      await tick();
      const asker = spawn('asker', () => top.cancel());
      await asker;
      await tick();
      const info = finishedCancel(leaf);
      assert.equal(info?.kind, 'parent-cancelled');
      assert.deepEqual(info?.by?.task, ref(asker));
    });
  });

  it('keeps the chain of a task that rethrows an awaited task’s cancellation (it was not cancelled itself)', async () => {
    await run(async () => {
      const awaited = spawn('awaited', (task) => sleep(60_000, { signal: task.signal }));
      const waiter = spawn('waiter', async () => {
        await awaited;
      });
      await tick();
      const boss = spawn('boss', () => awaited.cancel('enough'));
      await boss;
      await outcome(waiter);
      assert.equal(waiter.state, 'cancelled');
      assert.deepEqual(finishedCancel(waiter), {
        kind: 'explicit',
        message: 'cancelled explicitly: enough',
        by: { source: 'task', task: ref(boss), group: null, reason: 'enough', message: `main › boss [${boss.id}]`, site: null },
        rethrown: true,
      });
      assert.equal(finishedCancel(awaited)?.rethrown, undefined, 'the awaited task was cancelled itself');
    });
  });

  it('answers once for the many tasks one request cancelled', async () => {
    const release = latch();
    await run(async () => {
      await rejection(
        TaskGroup.run('many', async (group) => {
          for (let i = 0; i < 100; i++) group.spawn(`t${i}`, () => release.promise);
          await tick();
          group.cancel('enough');
          const tasks = captureSnapshot().tasks.filter((t) => t.group === 'many');
          assert.equal(tasks.length, 100);
          assert.equal(new Set(tasks.map((t) => t.cancelled?.by)).size, 1, 'one frozen answer, shared');
          release.release();
        }),
      );
    });
  });

  it('names the process signal that run() caught, for a task that honours it and one that ignores it for a while', async () => {
    const res = await runFixture('inspect-cancelled-by', ['signal'], (line, child) => {
      if (line === 'ready') child.kill('SIGTERM');
    });
    assert.equal(res.code, 0, res.stderr);
    const [honours, ignores] = JSON.parse(res.stdout.trim().split('\n').at(-1) as string) as CancelInfo[];
    const by = { source: 'process-signal', task: null, group: null, reason: 'SIGTERM', message: 'SIGTERM, caught by run()', site: null };
    assert.deepEqual(honours, { kind: 'parent-cancelled', message: "parent 'main' was cancelled (outside signal aborted: SIGTERM)", by });
    assert.deepEqual(ignores, honours);
  });

  it('in debug mode, has the stack of the cancel() call', async () => {
    const res = await runFixture('inspect-cancelled-by', ['debug']);
    assert.equal(res.code, 0, res.stderr);
    const [worker] = JSON.parse(res.stdout.trim().split('\n').at(-1) as string) as CancelInfo[];
    assert.equal(worker?.by?.source, 'task');
    assert.equal(worker?.by?.task?.path, 'main › boss');
    const line = readFileSync(fixture('inspect-cancelled-by'), 'utf8').split('\n').findIndex((text) => text.includes('// the cancel() call')) + 1;
    assert.match(worker?.by?.site?.[0] ?? '', new RegExp(`^boss \\(.*test/fixtures/inspect-cancelled-by\\.js:${line}:\\d+\\)$`));
  });
});
