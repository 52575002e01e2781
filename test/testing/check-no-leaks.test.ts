import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TaskGroup, allTasks, run, sleep } from '../../src/index.js';
import { TaskLeakError, checkNoLeaks, snapshotLiveTasks, withTaskTracking } from '../../src/testing/index.js';

describe('checkNoLeaks', () => {
  it('resolves when no task is left', async () => {
    await run(async () => sleep(1));
    await checkNoLeaks();
  });

  it('waits graceMs for tasks that are about to settle', async () => {
    new TaskGroup('short').spawn('settles-soon', () => sleep(20));
    await checkNoLeaks({ graceMs: 2000 });
  });

  it('rejects with a TaskLeakError naming the tasks, and cancels them', async () => {
    const group = new TaskGroup('background');
    const task = group.spawn('forgotten', () => sleep(60_000));
    const error = await checkNoLeaks({ graceMs: 10 }).then(
      () => assert.fail('expected a TaskLeakError'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof TaskLeakError);
    assert.deepEqual(error.tasks.map((t) => t.path), ['background › forgotten']);
    assert.match(error.message, /^the test left 1 task running:\n {2}background › forgotten \[\w+\.\w+\] running for \d+ ms, waiting on sleep 60000 ms/);
    assert.equal(task.cancellation?.reason.kind, 'explicit');
    await group[Symbol.asyncDispose]().catch(() => undefined);
    assert.deepEqual(allTasks(), []);
  });

  it('ignores the tasks alive before (snapshotLiveTasks)', async () => {
    const group = new TaskGroup('earlier');
    group.spawn('earlier-task', () => sleep(60_000));
    const before = snapshotLiveTasks();
    await checkNoLeaks({ ignore: before, graceMs: 10 });
    group.cancel();
    await group[Symbol.asyncDispose]().catch(() => undefined);
  });
});

describe('withTaskTracking', () => {
  it('passes through the value of a clean test', async () => {
    const tracked = withTaskTracking(async (n: number) => run(async () => n * 2), { hangMs: 0 });
    assert.equal(await tracked(21), 42);
  });

  it('fails a test that leaves a task running', async () => {
    const tracked = withTaskTracking(
      async function leaky() {
        new TaskGroup('bg').spawn('left-behind', () => sleep(60_000));
      },
      { hangMs: 0, graceMs: 10 },
    );
    await assert.rejects(tracked(), (e: unknown) => e instanceof TaskLeakError && /test "leaky" left 1 task running/.test(e.message));
    await sleep(1);
  });

  it('prints the tree after hangMs while the test still runs', async () => {
    const printed: string[] = [];
    const tracked = withTaskTracking(() => run(async () => sleep(200)), { hangMs: 50, print: (text) => printed.push(text) });
    await tracked();
    assert.equal(printed.length, 1);
    assert.match(printed[0] as string, /^tasktree: test "anonymous" is still running after 50 ms; the task tree:\n└── main \[\w+\.\w+\] running \d+ ms — waiting on sleep 200 ms/);
  });
});
