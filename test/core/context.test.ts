import '../helpers/no-unhandled.js';
import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { describe, it } from 'node:test';
import { TaskGroup, currentTask, run, spawn, type Task } from '../../src/index.js';
import { latch } from '../helpers/core.js';

// Another library's context (a request id, a tracing span): a task must see the value of the code
// that spawned it, as a native promise callback sees the value of the code that called `then`.
const request = new AsyncLocalStorage<string>();

describe('the async context of a task', () => {
  it('is the context of the code that spawned it, even for spawns in one synchronous run', async () => {
    await run(async () => {
      const plain = spawn('plain', async () => request.getStore());
      const a = request.run('request-1', () => spawn('a', async () => request.getStore()));
      const b = request.run('request-2', () => spawn('b', async () => request.getStore()));
      assert.deepEqual([await plain, await a, await b], [undefined, 'request-1', 'request-2']);
    });
  });

  it('keeps concurrent requests apart when their spawns share one microtask checkpoint', async () => {
    const group = new TaskGroup('server');
    const seen: string[] = [];
    const handle = (id: string) =>
      request.run(id, async () => {
        await null; // both handlers resume in the same checkpoint, before any task starts
        group.spawn(`handle ${id}`, async () => {
          await null;
          seen.push(`${id} sees ${request.getStore()}`);
        });
      });
    await Promise.all([handle('req-A'), handle('req-B')]);
    await group[Symbol.asyncDispose]();
    assert.deepEqual(seen.sort(), ['req-A sees req-A', 'req-B sees req-B']);
  });

  it('is the spawner’s for a task that waited for a concurrency slot, not the context of the task that freed it', async () => {
    const release = latch();
    const values = await TaskGroup.run(
      'limited',
      (group) => {
        const first = request.run('first', () => group.spawn('first', async () => (await release.promise, request.getStore())));
        const queued = request.run('queued', () => group.spawn('queued', async () => request.getStore()));
        assert.equal(queued.state, 'queued');
        release.release();
        return Promise.all([first, queued]);
      },
      { concurrency: 1 },
    );
    assert.deepEqual(values, ['first', 'queued']);
  });

  it('has the task itself as the current task, across awaits, while other values pass through', async () => {
    await run(async (main) => {
      const child = request.run('r', () =>
        spawn('child', async (self) => {
          assert.equal(currentTask(), self);
          await null;
          const grandchild = spawn('grandchild', async () => [currentTask()?.name, request.getStore()]);
          assert.deepEqual(await grandchild, ['grandchild', 'r']);
          return [currentTask(), request.getStore()] as [Task | undefined, string | undefined];
        }),
      );
      const [task, value] = await child;
      assert.equal(task, child);
      assert.equal(value, 'r');
      assert.equal(currentTask(), main);
      assert.equal(request.getStore(), undefined);
    });
  });
});
