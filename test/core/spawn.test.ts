import '../helpers/no-unhandled.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CancelledError, TaskGroup, TaskGroupError, sleep, spawn, type Task } from '../../src/index.js';
import { MODES, latch, rejection, tick, ticks, track, waiter } from '../helpers/core.js';

describe('spawn()', () => {
  it('throws outside any task or group body, naming what to do instead', () => {
    assert.throws(() => spawn('x', () => 1), /spawn\(name, fn, options\): there is no current task: call it inside run\(\), a task, or a TaskGroup\.run\(\) body/);
  });

  it('spawns into the TaskGroup.run body’s group', async () => {
    await TaskGroup.run('g', (g) => {
      const t = spawn('child', () => 1);
      assert.deepEqual(g.tasks, [t]);
    });
  });

  it('spawns into the current task’s own scope: the task settles after its children', async () => {
    const order: string[] = [];
    const release = latch();
    const g = new TaskGroup('g');
    const parent = g.spawn('parent', () => {
      spawn('child', async () => {
        await release.promise;
        order.push('child');
      });
      order.push('parent returned');
      return 'p';
    });
    await ticks(3);
    assert.equal(parent.state, 'running');
    release.release();
    assert.equal(await parent, 'p');
    order.push('parent settled');
    assert.deepEqual(order, ['parent returned', 'child', 'parent settled']);
    await g[Symbol.asyncDispose]();
  });

  it('waits for children spawned by children while the task is already waiting', async () => {
    const gate = latch();
    const release = latch();
    const g = new TaskGroup('g');
    let grandchild!: Task;
    const parent = g.spawn('parent', () => {
      const own = spawn('child', async () => {
        await gate.promise;
        grandchild = spawn('grandchild', () => release.promise);
      });
      void own;
    });
    await ticks(2);
    gate.release();
    await ticks(2);
    assert.equal(grandchild.state, 'running');
    assert.equal(parent.state, 'running');
    release.release();
    await parent;
    assert.equal(grandchild.state, 'fulfilled');
    await g[Symbol.asyncDispose]();
  });

  for (const mode of MODES) {
    it(`a failing child cancels its siblings and the task’s own function (they ${mode} their signal)`, async () => {
      const boom = new Error('boom');
      const release = latch();
      const g = new TaskGroup('g');
      let sibling!: Task;
      let failing!: Task;
      let ownSignal!: AbortSignal;
      let wentOn = false;
      const parent = g.spawn('parent', async (task) => {
        ownSignal = task.signal;
        sibling = spawn('sibling', waiter(mode, release, 's'));
        failing = spawn('failing', async () => {
          await tick();
          throw boom;
        });
        await waiter(mode, release, 0)(task);
        wentOn = true;
      });
      const tracked = track(parent.result());
      await ticks(3);
      const reason = sibling.signal.reason as CancelledError;
      assert.equal(reason.reason.kind, 'sibling-failed');
      assert.ok(reason.reason.kind === 'sibling-failed' && reason.reason.task === failing);
      assert.equal(ownSignal.reason, reason);
      if (mode === 'ignore') {
        await ticks(2);
        assert.equal(tracked.done, false);
        release.release();
      }
      const err = await rejection(parent);
      assert.ok(err instanceof TaskGroupError);
      assert.equal(err.group, 'parent');
      assert.deepEqual(err.errors, [boom]);
      assert.equal(wentOn, mode === 'ignore');
      assert.equal(parent.state, 'rejected');
      await rejection(g[Symbol.asyncDispose]());
    });

    it(`the task’s function failing cancels its children; their errors and the function’s are aggregated (children ${mode} their signal)`, async () => {
      const bodyError = new Error('body');
      const childError = new Error('child');
      const release = latch();
      const g = new TaskGroup('g');
      let quiet!: Task;
      const parent = g.spawn('parent', async () => {
        quiet = spawn('quiet', waiter(mode, release, 'q'));
        spawn('loud', async (task) => {
          await new Promise((resolve) => task.signal.addEventListener('abort', resolve));
          throw childError;
        });
        await tick();
        throw bodyError;
      });
      const tracked = track(parent.result());
      await ticks(2);
      assert.equal((quiet.signal.reason as CancelledError).reason.kind, 'body-failed');
      if (mode === 'ignore') {
        await ticks(2);
        assert.equal(tracked.done, false);
        release.release();
      }
      const err = await rejection(parent);
      assert.ok(err instanceof TaskGroupError);
      assert.deepEqual(err.errors, [childError, bodyError]);
      assert.deepEqual(
        err.failures.map((f) => f.source),
        ['task', 'body'],
      );
      await rejection(g[Symbol.asyncDispose]());
    });
  }

  it('the function catching the cancellation and returning normally still rejects with the child’s error', async () => {
    const boom = new Error('boom');
    const g = new TaskGroup('g');
    const parent = g.spawn('parent', async () => {
      spawn('failing', async () => {
        throw boom;
      });
      try {
        await sleep(1e9);
      } catch {
        // swallowed
      }
      return 'normal';
    });
    const err = await rejection(parent);
    assert.ok(err instanceof TaskGroupError);
    assert.deepEqual(err.errors, [boom]);
    await rejection(g[Symbol.asyncDispose]());
  });

  it('closes an explicit group the function left open, and reports its errors', async () => {
    const boom = new Error('boom');
    const release = latch();
    const g = new TaskGroup('g');
    let left!: Task;
    const parent = g.spawn('parent', () => {
      const open = new TaskGroup('left-open');
      left = open.spawn('worker', () => release.promise);
      open.spawn('bad', async () => {
        await release.promise;
        throw boom;
      });
    });
    await ticks(2);
    assert.equal(parent.state, 'running');
    release.release();
    const err = await rejection(parent);
    assert.ok(err instanceof TaskGroupError);
    const inner = err.errors[0];
    assert.ok(inner instanceof TaskGroupError);
    assert.equal(inner.group, 'left-open');
    assert.deepEqual(inner.errors, [boom]);
    assert.equal(left.state, 'fulfilled');
    await rejection(g[Symbol.asyncDispose]());
  });

  it('accepts (fn), (fn, options), (name, fn) and (name, fn, options)', async () => {
    await TaskGroup.run('g', () => {
      assert.match(spawn(() => 1).name, /^Task-/);
      assert.equal(spawn(async function named() {}, { daemon: true }).daemon, true);
      assert.equal(spawn('n', () => 1).name, 'n');
      assert.equal(spawn('d', () => 1, { daemon: true }).daemon, true);
    });
  });
});
