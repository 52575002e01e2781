// `await using` in user code compiled by TypeScript with target ES2022 (this file is: TypeScript
// downlevels `using` to its __addDisposableResource/__disposeResources helpers), against the
// package itself, imported by its name.
import '../helpers/no-unhandled.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CancelledError, TaskGroup, TaskGroupError, sleep, type Task } from 'tasktree';
import * as direct from '../../src/index.js';
import { MODES, latch, rejection, tick, ticks, track, waiter } from '../helpers/core.js';

describe('await using', () => {
  it('imports the same module by package name as by path', () => {
    assert.equal(TaskGroup, direct.TaskGroup);
  });

  it('waits at the end of the block for every task, including ones spawned while waiting', async () => {
    const order: string[] = [];
    const gate = latch();
    {
      await using group = new TaskGroup('block');
      group.spawn('a', async () => {
        await gate.promise;
        order.push('a');
        group.spawn('late', async () => {
          await tick();
          order.push('late');
        });
      });
      setImmediate(() => gate.release());
      order.push('block end');
    }
    order.push('after block');
    assert.deepEqual(order, ['block end', 'a', 'late', 'after block']);
  });

  for (const mode of MODES) {
    it(`throws the TaskGroupError at the end of the block, siblings cancelled (they ${mode} their signal)`, async () => {
      const boom = new Error('boom');
      const release = latch();
      let sibling!: Task;
      let afterBlock = false;
      const p = track(
        (async () => {
          {
            await using group = new TaskGroup('block');
            sibling = group.spawn('sibling', waiter(mode, release, 'v'));
            group.spawn('failing', async () => {
              await tick();
              throw boom;
            });
          }
          afterBlock = true;
        })(),
      );
      await ticks(3);
      assert.equal((sibling.signal.reason as CancelledError).reason.kind, 'sibling-failed');
      if (mode === 'ignore') {
        await ticks(2);
        assert.equal(p.done, false);
        release.release();
      }
      const err = await rejection(p.promise);
      assert.ok(err instanceof TaskGroupError);
      assert.deepEqual(err.errors, [boom]);
      assert.equal(afterBlock, false);
    });

    it(`rethrows an outside cancellation at the end of the block (children ${mode} their signal)`, async () => {
      const release = latch();
      const err = await rejection(
        (async () => {
          await using group = new TaskGroup('block');
          group.spawn('child', waiter(mode, release, 'v'));
          group.cancel('stop');
          setImmediate(() => release.release());
        })(),
      );
      assert.ok(err instanceof CancelledError);
      assert.deepEqual(err.reason, { kind: 'explicit', reason: 'stop' });
    });
  }

  it('after catching the TaskGroupError the owner’s next await works and its signal is not aborted', async () => {
    const outer = new TaskGroup('outer');
    const t = outer.spawn('owner', async (task) => {
      try {
        await using group = new TaskGroup('inner');
        group.spawn(async () => {
          throw new Error('boom');
        });
      } catch (e) {
        assert.ok(e instanceof TaskGroupError);
      }
      await sleep(1);
      assert.equal(task.signal.aborted, false);
      return 'fine';
    });
    assert.equal(await t, 'fine');
    await outer[Symbol.asyncDispose]();
  });

  it('a block that throws while tasks run: the block’s error and the group’s outcome are both kept', async () => {
    // `await using` cannot tell the group the block threw, so tasks are not cancelled by it:
    // the group waits for them, and a failing group's error suppresses the block's.
    const blockError = new Error('block');
    const boom = new Error('boom');
    const gate = latch();
    let child!: Task;
    const err = await rejection(
      (async () => {
        await using group = new TaskGroup('block');
        child = group.spawn('child', async () => {
          await gate.promise;
          throw boom;
        });
        setImmediate(() => gate.release());
        throw blockError;
      })(),
    );
    assert.equal(child.state, 'rejected');
    assert.equal((err as { name?: string }).name, 'SuppressedError');
    const suppressed = err as { error: unknown; suppressed: unknown };
    assert.ok(suppressed.error instanceof TaskGroupError);
    assert.deepEqual(suppressed.error.errors, [boom]);
    assert.equal(suppressed.suppressed, blockError);
  });

  it('inside a task, leaving the block records the owner as waiting on the group', async () => {
    const outer = new TaskGroup('outer');
    const release = latch();
    const t = outer.spawn('owner', async () => {
      await using group = new TaskGroup('inner');
      group.spawn(() => release.promise);
    });
    await ticks(2);
    assert.equal(t.state, 'running');
    release.release();
    await t;
    await outer[Symbol.asyncDispose]();
  });
});
