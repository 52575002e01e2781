import '../helpers/no-unhandled.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TaskGroup, sleep, type Task } from '../../src/index.js';
import { taskExtra, taskRare, taskRareOf } from '../../src/core/internal.js';
import { latch } from '../helpers/core.js';

describe("a task's state", () => {
  it('keeps its flags through every change of state: a queued daemon stays a daemon once it runs and once it settled, and its group counts it right', async () => {
    const started = latch();
    let daemon!: Task;
    let worker!: Task;
    const group = await TaskGroup.run(
      'g',
      async (g) => {
        worker = g.spawn('worker', async () => {
          await started.promise;
        });
        daemon = g.spawn('daemon', () => sleep(1e9), { daemon: true });
        assert.equal(daemon.state, 'queued');
        assert.equal(daemon.daemon, true);
        started.release();
        await worker;
        assert.equal(daemon.state, 'running');
        assert.equal(daemon.daemon, true);
        return g;
      },
      { concurrency: 1 },
    );
    // The daemon was stopped once only it was left: the group knew it was one, and its slot was freed.
    assert.equal(daemon.state, 'cancelled');
    assert.equal(daemon.daemon, true);
    assert.equal(worker.daemon, false);
    assert.equal(group.size, 0);
  });
});

describe("a task's extra state", () => {
  it('holds no room for what only the outer layers set while none of it is set', async () => {
    await TaskGroup.run('g', async (g) => {
      const task = g.spawn('signalled', (t) => new Promise((resolve) => t.signal.addEventListener('abort', resolve)));
      await sleep(1);
      task.cancel();
      await task;
      const extra = taskExtra(task);
      assert.notEqual(extra, undefined);
      assert.equal(extra?.rare, undefined);
      assert.equal(taskRare(task), undefined);
    });
  });

  it('keeps what the outer layers set and reads it back', async () => {
    await TaskGroup.run('g', (g) => {
      const task = g.spawn('labelled', () => 1, { attributes: { route: '/users' } });
      assert.deepEqual(taskRare(task)?.attributes, { route: '/users' });
      const rare = taskRareOf(task);
      assert.equal(rare, taskRare(task));
      rare.createdSite = { stack: 'at here' };
      assert.equal(taskRare(task)?.createdSite?.stack, 'at here');
      assert.deepEqual(taskRare(task)?.attributes, { route: '/users' });
    });
  });
});
