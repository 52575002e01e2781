import '../helpers/no-unhandled.js';
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { TaskGroup, allTasks, run, setHistoryLimit, spawn } from '../../src/index.js';
import { finishedTasks, hooks } from '../../src/core/internal.js';
import { latch, tick } from '../helpers/core.js';

after(() => setHistoryLimit(1000));

describe('allTasks()', () => {
  it('lists every live task, each parent before its children, and no finished task', async () => {
    const release = latch();
    await run(async () => {
      const a = spawn('a', async () => {
        spawn('a1', () => release.promise);
        await release.promise;
      });
      const done = spawn('done', () => 1);
      const g = new TaskGroup('group');
      g.spawn('b', () => release.promise);
      await done;
      await tick();
      assert.deepEqual(
        allTasks().map((t) => t.path),
        ['main', 'main › a', 'main › a › a1', 'main › group › b'],
      );
      assert.ok(!allTasks().includes(done));
      release.release();
      await a;
      await g[Symbol.asyncDispose]();
      assert.deepEqual(
        allTasks().map((t) => t.path),
        ['main'],
      );
    }).catch((e: unknown) => {
      release.release();
      throw e;
    });
    assert.deepEqual(allTasks(), []);
  });

  it('returns a fresh array on every call', async () => {
    const release = latch();
    await TaskGroup.run('g', async (g) => {
      g.spawn(() => release.promise);
      const first = allTasks();
      const second = allTasks();
      assert.notEqual(first, second);
      assert.deepEqual(first, second);
      first.length = 0;
      assert.equal(allTasks().length, 1);
      release.release();
    });
    assert.deepEqual(allTasks(), []);
  });

  it('lists queued tasks too', async () => {
    const release = latch();
    await TaskGroup.run(
      'pool',
      async (g) => {
        g.spawn('a', () => release.promise);
        g.spawn('b', () => release.promise);
        await tick();
        assert.deepEqual(
          allTasks().map((t) => `${t.name} ${t.state}`),
          ['a running', 'b queued'],
        );
        release.release();
      },
      { concurrency: 1 },
    );
  });
});

describe('a task while it settles', () => {
  it('is already among the finished tasks and no longer among the live ones, to code that runs meanwhile', async () => {
    // A V8 interrupt (the inspector evaluating `tasktree where`) can run between any two calls of
    // the settling code; the recorder's hook runs there too, and stands in for it.
    const seen: string[] = [];
    const previous = hooks.record;
    hooks.record = (step, task) => {
      if (step !== 'settle' || task.name !== 'settling') return;
      seen.push(`live ${allTasks().includes(task)}, finished ${finishedTasks().includes(task)}`);
    };
    try {
      await TaskGroup.run('g', (g) => {
        g.spawn('settling', () => 1);
      });
    } finally {
      hooks.record = previous;
    }
    assert.deepEqual(seen, ['live false, finished true']);
  });
});

describe('history of finished tasks', () => {
  it('keeps at most setHistoryLimit() finished tasks, the most recent ones', async () => {
    setHistoryLimit(5);
    await TaskGroup.run('g', (g) => {
      for (let i = 0; i < 12; i++) g.spawn(`t${i}`, () => i);
    });
    assert.deepEqual(
      finishedTasks().map((t) => t.name),
      ['t7', 't8', 't9', 't10', 't11'],
    );
    setHistoryLimit(3);
    assert.deepEqual(
      finishedTasks().map((t) => t.name),
      ['t9', 't10', 't11'],
    );
    await TaskGroup.run('g', (g) => void g.spawn('next', () => 1));
    assert.deepEqual(
      finishedTasks().map((t) => t.name),
      ['t10', 't11', 'next'],
    );
    setHistoryLimit(10);
    assert.deepEqual(
      finishedTasks().map((t) => t.name),
      ['t10', 't11', 'next'],
    );
  });

  it('is off with a limit of 0', async () => {
    setHistoryLimit(0);
    await TaskGroup.run('g', (g) => void g.spawn(() => 1));
    assert.deepEqual(finishedTasks(), []);
    setHistoryLimit(2);
    await TaskGroup.run('g', (g) => void g.spawn('x', () => 1));
    assert.deepEqual(
      finishedTasks().map((t) => t.name),
      ['x'],
    );
  });

  it('rejects a limit that is not an integer >= 0', () => {
    for (const bad of [-1, 1.5, NaN, Infinity, '3']) {
      assert.throws(() => setHistoryLimit(bad as number), { name: 'RangeError', message: /^setHistoryLimit\(limit\): expected an integer >= 0, got / });
    }
  });
});
