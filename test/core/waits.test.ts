import '../helpers/no-unhandled.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TaskGroup, run, sleep, spawn, type Task } from '../../src/index.js';
import { awaitedTasks, taskWait } from '../../src/core/internal.js';
import { latch, tick, ticks } from '../helpers/core.js';

/** What `task` waits on, as the inspection tools read it: kind, the awaited tasks' names, exclusive. */
function waitOf(task: Task): { kind: string; tasks?: string[]; exclusive?: boolean; below?: number } | undefined {
  const wait = taskWait(task);
  if (wait === undefined) return undefined;
  if (wait.kind !== 'task') return { kind: wait.kind };
  const out: { kind: string; tasks: string[]; exclusive: boolean; below?: number } = { kind: 'task', tasks: wait.tasks.map((t) => t.name), exclusive: wait.exclusive };
  if (wait.below !== undefined) out.below = wait.below.n;
  return out;
}

describe('what a task waits on', () => {
  it('is the awaited task while it awaits a task, an exclusive wait', async () => {
    const gate = latch();
    await run(async () => {
      const target = spawn('target', () => gate.promise);
      const waiter = spawn('waiter', async () => {
        await target;
      });
      await ticks(3);
      assert.deepEqual(waitOf(waiter), { kind: 'task', tasks: ['target'], exclusive: true });
      assert.deepEqual(awaitedTasks(waiter), [target]);
      gate.release();
    });
  });

  it('is the task whose result() it awaits, with its awaited-by edge, but not an exclusive wait', async () => {
    const gate = latch();
    await run(async () => {
      const target = spawn('target', () => gate.promise);
      const waiter = spawn('waiter', async () => {
        await target.result();
      });
      await ticks(3);
      assert.deepEqual(waitOf(waiter), { kind: 'task', tasks: ['target'], exclusive: false });
      assert.deepEqual(awaitedTasks(waiter), [target]);
      gate.release();
      await waiter;
      assert.equal(taskWait(waiter), undefined);
    });
  });

  it('counts every result() asked for in one run as one wait: Promise.all over results', async () => {
    const gate = latch();
    await run(async () => {
      const a = spawn('a', () => gate.promise);
      const b = spawn('b', () => gate.promise);
      const waiter = spawn('waiter', async () => {
        await Promise.all([a.result(), b.result()]);
      });
      await ticks(3);
      assert.deepEqual(waitOf(waiter), { kind: 'task', tasks: ['a', 'b'], exclusive: false });
      gate.release();
    });
  });

  it('is not exclusive when the task calls then itself, or races the task with a sleep begun in the same run', async () => {
    const gate = latch();
    await run(async () => {
      const target = spawn('target', () => gate.promise);
      const viaThen = spawn('via-then', async () => {
        await new Promise<void>((resolve) => void target.then(() => resolve()));
      });
      const racing = spawn('racing', async () => {
        await Promise.race([target, sleep(60_000)]);
      });
      const reached = latch();
      const later = spawn('later', async () => {
        await sleep(1);
        reached.release();
        await target;
      });
      await reached.promise;
      assert.deepEqual(waitOf(viaThen), { kind: 'task', tasks: ['target'], exclusive: false });
      assert.deepEqual(waitOf(racing), { kind: 'task', tasks: ['target'], exclusive: false });
      assert.deepEqual(waitOf(later), { kind: 'task', tasks: ['target'], exclusive: true }, 'a sleep in an earlier run does not count');
      gate.release();
      racing.cancel();
    });
  });

  it('is the group’s live tasks while whenBelow(n) is blocked, and nothing once it is released', async () => {
    const gate = latch();
    let producer!: Task;
    let seen: ReturnType<typeof waitOf>;
    let edges: string[] = [];
    await run(async () => {
      producer = spawn('producer', async () => {
        await TaskGroup.run(
          'pool',
          async (pool) => {
            pool.spawn('job-1', () => gate.promise);
            pool.spawn('job-2', () => gate.promise);
            await pool.whenBelow(2);
            assert.equal(taskWait(producer), undefined, 'the wait ended when the producer went on');
          },
          { concurrency: 1 },
        );
      });
      await ticks(5);
      seen = waitOf(producer);
      edges = awaitedTasks(producer).map((t) => t.name);
      gate.release();
    });
    assert.deepEqual(seen, { kind: 'task', tasks: ['job-1', 'job-2'], exclusive: true, below: 2 });
    assert.deepEqual(edges, ['job-1', 'job-2']);
  });

  it('ends whenBelow’s wait when the waiting task is cancelled', async () => {
    const gate = latch();
    await run(async () => {
      const group = new TaskGroup('pool');
      group.spawn('job', () => gate.promise);
      const producer = spawn('producer', () => group.whenBelow(1));
      await tick();
      assert.equal(waitOf(producer)?.kind, 'task');
      producer.cancel();
      await assert.rejects(producer.result(), { name: 'CancelledError' });
      assert.equal(taskWait(producer), undefined);
      gate.release();
      await group[Symbol.asyncDispose]();
    });
  });
});
