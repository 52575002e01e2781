import '../helpers/no-unhandled.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { AsyncLocalStorage } from 'node:async_hooks';
import { CancelledError, Task, TaskGroup, TaskGroupError, currentTask, run, sleep, spawn, taskEvents } from '../../src/index.js';
import { MODES, latch, rejection, tick, ticks, waiter } from '../helpers/core.js';

describe('Task identity', () => {
  it('has a unique id of the form <6 chars>.<base36 counter>', async () => {
    const ids = await TaskGroup.run('g', (g) => Array.from({ length: 50 }, () => g.spawn(() => 1).id));
    for (const id of ids) assert.match(id, /^[0-9A-Za-z]{6}\.[0-9a-z]+$/);
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(new Set(ids.map((id) => id.split('.')[0])).size, 1);
  });

  it('is named by the given name, else the function’s name, else Task-N', async () => {
    await TaskGroup.run('g', (g) => {
      assert.equal(g.spawn('given', async function ignored() {}).name, 'given');
      assert.equal(g.spawn(async function fetchUser() {}).name, 'fetchUser');
      const anon = g.spawn(() => 1);
      assert.match(anon.name, /^Task-\d+$/);
      assert.equal(anon.name, `Task-${parseInt(anon.id.split('.')[1] as string, 36)}`);
      assert.notEqual(g.spawn(() => 1).name, anon.name);
    });
  });

  it('has the owner of its group as parent, and a path of names joined with ›, a named group a level of its own', async () => {
    let leaf!: Task;
    const outer = await run(
      async (main) => {
        const mid = spawn('request#42', async () => {
          await TaskGroup.run('inner', (g) => {
            leaf = g.spawn('fetch-user', () => 1);
          });
        });
        await mid;
        assert.equal(mid.parent, main);
        assert.equal(leaf.parent, mid);
        assert.equal(main.parent, undefined);
        return [main.path, mid.path, leaf.path];
      },
      { name: 'main' },
    );
    assert.deepEqual(outer, ['main', 'main › request#42', 'main › request#42 › inner › fetch-user']);
  });

  it('has no parent when spawned into a top-level group, whose name starts its path', async () => {
    await TaskGroup.run('top', (g) => {
      const t = g.spawn('t', () => 1);
      assert.equal(t.parent, undefined);
      assert.equal(t.path, 'top › t');
    });
  });

  it('adds no level to its path for its parent’s own scope, run()’s group or an unnamed group', async () => {
    const paths = await run(async () => {
      const own = spawn('own', () => spawn('child', () => 1).path);
      const unnamed = await TaskGroup.run(async (g) => g.spawn('in-unnamed', () => 1).path);
      await using group = new TaskGroup();
      const explicit = group.spawn('in-new-unnamed', () => 1).path;
      await using background = new TaskGroup('background');
      const named = background.spawn('in-background', () => 1).path;
      return [await own, unnamed, explicit, named];
    });
    assert.deepEqual(paths, ['main › own › child', 'main › in-unnamed', 'main › in-new-unnamed', 'main › background › in-background']);
  });
});

describe('Task state', () => {
  it('goes queued → running → fulfilled', async () => {
    const gate = latch();
    const release = latch();
    const seen: string[] = [];
    await TaskGroup.run(
      'g',
      async (g) => {
        const first = g.spawn('first', () => gate.promise);
        const second = g.spawn('second', async (task) => {
          seen.push(task.state);
          await release.promise;
        });
        seen.push(second.state);
        await tick();
        seen.push(first.state, second.state);
        gate.release();
        await ticks(2);
        seen.push(first.state, second.state);
        release.release();
        await second;
        seen.push(second.state);
      },
      { concurrency: 1 },
    );
    // second's own view when it starts comes between.
    assert.deepEqual(seen, ['queued', 'running', 'queued', 'running', 'fulfilled', 'running', 'fulfilled']);
  });

  it('ends rejected with the thrown error, or cancelled with a CancelledError', async () => {
    const boom = new Error('boom');
    let failing!: Task;
    let cancelled!: Task;
    await rejection(
      TaskGroup.run('g', async (g) => {
        cancelled = g.spawn('c', () => sleep(1e9));
        failing = g.spawn('f', async () => {
          throw boom;
        });
      }),
    );
    assert.equal(failing.state, 'rejected');
    assert.equal(cancelled.state, 'cancelled');
    assert.equal(await rejection(failing), boom);
    assert.ok((await rejection(cancelled)) instanceof CancelledError);
  });

  it('has createdAt and settledAt in epoch milliseconds', async () => {
    const before = Date.now();
    let t!: Task;
    await TaskGroup.run('g', async (g) => {
      t = g.spawn('t', () => sleep(2));
      assert.equal(t.settledAt, undefined);
    });
    const after = Date.now();
    assert.ok(t.createdAt >= before - 2 && t.createdAt <= after + 2, `${before} ${t.createdAt} ${after}`);
    const settled = t.settledAt as number;
    assert.ok(settled >= t.createdAt && settled <= after + 2);
  });

  it('prints readably with toString() and util.inspect', async () => {
    await TaskGroup.run('g', async (g) => {
      const t = g.spawn('fetch-user', () => tick());
      assert.match(String(t), new RegExp(`^Task 'fetch-user' \\(${t.id.replace('.', '\\.')}\\) running for \\d+\\.\\d\\d s$`));
      assert.match(inspect(t), /^<Task 'fetch-user' \(.+\) running for .* s>$/);
      await t;
      assert.match(String(t), /^Task 'fetch-user' \(.+\) fulfilled after \d+\.\d\d s$/);
      assert.match(inspect({ t }), /<Task 'fetch-user'/);
    });
  });
});

describe('Task cancellation', () => {
  for (const mode of MODES) {
    it(`cancel(reason) aborts the signal with an explicit reason (the task ${mode}s it)`, async () => {
      const release = latch();
      const g = new TaskGroup('g');
      const t = g.spawn('t', waiter(mode, release, 'value'));
      await tick();
      t.cancel('because');
      assert.ok(t.cancellation instanceof CancelledError);
      assert.deepEqual(t.cancellation.reason, { kind: 'explicit', reason: 'because' });
      assert.equal(t.signal.aborted, true);
      assert.equal(t.signal.reason, t.cancellation);
      if (mode === 'ignore') {
        await ticks(2);
        assert.equal(t.state, 'running');
        release.release();
        assert.equal(await t, 'value');
        assert.equal(t.state, 'fulfilled');
      } else {
        const err = await rejection(t);
        assert.equal(err, t.cancellation);
        assert.equal(t.state, 'cancelled');
      }
      await g[Symbol.asyncDispose]();
    });
  }

  it('cancel() without a reason is explicit with no reason; the first reason wins; settled tasks ignore it', async () => {
    const g = new TaskGroup('g');
    const t = g.spawn('t', () => sleep(1e9));
    t.cancel();
    t.cancel('second');
    assert.deepEqual(t.cancellation?.reason, { kind: 'explicit' });
    await rejection(t);
    const done = g.spawn('done', () => 1);
    await done;
    done.cancel();
    assert.equal(done.cancellation, undefined);
    assert.equal(done.state, 'fulfilled');
    await g[Symbol.asyncDispose]();
  });

  it('a task cancelled before it starts never runs', async () => {
    let ran = false;
    const g = new TaskGroup('g');
    const t = g.spawn('t', () => {
      ran = true;
    });
    t.cancel();
    await rejection(t);
    assert.equal(ran, false);
    assert.equal(t.state, 'cancelled');
    await g[Symbol.asyncDispose]();
  });

  it('a cancelled task rejects with its own cancellation even when an inner scope threw a derived one', async () => {
    const g = new TaskGroup('g');
    const started = latch();
    const t = g.spawn('t', () =>
      TaskGroup.run('inner', async () => {
        started.release();
        await sleep(1e9);
      }),
    );
    await started.promise;
    t.cancel('mine');
    const err = await rejection(t);
    assert.equal(err, t.cancellation);
    await g[Symbol.asyncDispose]();
  });

  it('a task whose signal-aware API throws an AbortError settles as cancelled', async () => {
    const { setTimeout: delay } = await import('node:timers/promises');
    const g = new TaskGroup('g');
    const t = g.spawn('t', (task) => delay(1e9, undefined, { signal: task.signal }));
    await tick();
    t.cancel();
    const err = await rejection(t);
    assert.ok(err instanceof CancelledError);
    assert.equal(t.state, 'cancelled');
    await g[Symbol.asyncDispose]();
  });
});

describe('awaiting a task', () => {
  it('gives its value, its error, or its CancelledError', async () => {
    const boom = new Error('boom');
    const g = new TaskGroup('g', { cancelOnError: false });
    const ok = g.spawn('ok', async () => 42);
    const bad = g.spawn('bad', async () => {
      throw boom;
    });
    const cancelled = g.spawn('c', () => sleep(1e9));
    cancelled.cancel();
    assert.equal(await ok, 42);
    assert.equal(await rejection(bad), boom);
    assert.ok((await rejection(cancelled)) instanceof CancelledError);
    await rejection(g[Symbol.asyncDispose]());
  });

  it('gives a TaskGroupError when the task’s own children failed', async () => {
    const boom = new Error('boom');
    const g = new TaskGroup('g');
    const t = g.spawn('parent', () => {
      spawn('child', async () => {
        throw boom;
      });
      return 'parent value';
    });
    const err = await rejection(t);
    assert.ok(err instanceof TaskGroupError);
    assert.equal(err.group, 'parent');
    assert.deepEqual(err.errors, [boom]);
    await rejection(g[Symbol.asyncDispose]());
  });

  it('rejects a task with its own error when its function fails alone, after cancelling its children', async () => {
    const boom = new Error('boom');
    const g = new TaskGroup('g');
    let child!: Task;
    const t = g.spawn('parent', async () => {
      child = spawn('child', () => sleep(1e9));
      await tick();
      throw boom;
    });
    assert.equal(await rejection(t), boom);
    assert.equal(child.state, 'cancelled');
    assert.equal((child.cancellation?.reason as { kind: string }).kind, 'body-failed');
    await rejection(g[Symbol.asyncDispose]());
  });

  it('result() returns the same real Promise every time', async () => {
    await TaskGroup.run('g', async (g) => {
      const t = g.spawn(async () => 'v');
      const p = t.result();
      assert.ok(p instanceof Promise);
      assert.equal(t.result(), p);
      assert.equal(await p, 'v');
      assert.equal(t.result(), p);
      const late = g.spawn(() => 1);
      await late;
      assert.equal(await late.result(), 1);
    });
  });

  it('is not a Promise subclass, and `then` is an accessor', () => {
    assert.equal(Task.prototype instanceof Promise, false);
    const desc = Object.getOwnPropertyDescriptor(Task.prototype, 'then');
    assert.equal(typeof desc?.get, 'function');
    assert.equal(desc?.value, undefined);
  });

  it('works with Promise.all, Promise.race and Promise.allSettled', async () => {
    await TaskGroup.run('g', async (g) => {
      const a = g.spawn(async () => 1);
      const b = g.spawn(async () => {
        await tick();
        return 2;
      });
      assert.deepEqual(await Promise.all([a, b]), [1, 2]);
      assert.equal(await Promise.race([a, b]), 1);
      const settled = await Promise.allSettled([a, b]);
      assert.deepEqual(
        settled.map((s) => s.status),
        ['fulfilled', 'fulfilled'],
      );
    });
  });

  it('rejects Promise.all over tasks with the first failure', async () => {
    const boom = new Error('boom');
    await rejection(
      TaskGroup.run('g', async (g) => {
        const slow = g.spawn(() => sleep(1e9));
        const bad = g.spawn(async () => {
          await tick();
          throw boom;
        });
        assert.equal(await rejection(Promise.all([slow, bad])), boom);
      }),
    );
  });

  it('gives user code’s then(onFulfilled, onRejected) a real Promise, called back later in the caller’s context', async () => {
    const als = new AsyncLocalStorage<string>();
    await TaskGroup.run('g', async (g) => {
      const t = g.spawn('t', async () => {
        await tick();
        return 'v';
      });
      const seen: unknown[] = [];
      const chained = als.run('caller', () =>
        t.then(
          (v) => {
            seen.push(v, als.getStore(), currentTask()?.name);
            return 'chained';
          },
          (error: unknown) => {
            throw error;
          },
        ),
      );
      assert.ok(chained instanceof Promise);
      assert.equal(await chained, 'chained');
      // Not called from inside the task's settlement (that would be task 't', without 'caller').
      assert.deepEqual(seen, ['v', 'caller', undefined]);
    });
  });

  it('calls user code’s then callbacks asynchronously on a settled task too', async () => {
    await TaskGroup.run('g', async (g) => {
      const t = g.spawn(() => 'v');
      await t;
      let called = false;
      const p = t.then(
        () => {
          called = true;
        },
        () => {},
      );
      assert.equal(called, false);
      assert.ok(p instanceof Promise);
      await p;
      assert.equal(called, true);
    });
  });

  it('works through a thenable that forwards to task.then', async () => {
    await run(async () => {
      const t = spawn('t', async () => {
        await tick();
        return 'v';
      });
      const forward = { then: (resolve: (v: string) => void, reject: (e: unknown) => void) => t.then(resolve, reject) };
      assert.equal(await forward, 'v');
    });
  });

  it('is not an unhandled rejection when a failed task is never awaited', async () => {
    // The helper's after() hook fails the file if this produced one.
    await rejection(
      TaskGroup.run('g', (g) => {
        g.spawn(async () => {
          throw new Error('never awaited');
        });
      }),
    );
    await ticks(2);
  });
});

describe('Task children', () => {
  it('lists the live tasks of its scopes as a fresh array', async () => {
    const release = latch();
    await TaskGroup.run('g', async (g) => {
      const parent = g.spawn('parent', async () => {
        const a = spawn('a', () => release.promise);
        await TaskGroup.run('inner', async (ig) => {
          const b = ig.spawn('b', () => release.promise);
          const kids = parent.children;
          assert.equal(kids.length, 2);
          assert.ok(kids.includes(a) && kids.includes(b));
          kids.length = 0;
          assert.equal(parent.children.length, 2);
          release.release();
        });
      });
      await parent;
      assert.deepEqual(parent.children, []);
    });
  });
});

describe('waitFor', () => {
  it('returns the promise’s outcome', async () => {
    await TaskGroup.run('g', async (g) => {
      const t = g.spawn(async (task) => task.waitFor(Promise.resolve(3), 'db.query'));
      assert.equal(await t, 3);
      const boom = new Error('db down');
      const u = g.spawn(async (task) => {
        try {
          await task.waitFor(Promise.reject(boom), 'db.query');
        } catch (e) {
          return e;
        }
      });
      assert.equal(await u, boom);
    });
  });

  it('rejects a non-thenable and an empty label', async () => {
    await TaskGroup.run('g', async (g) => {
      g.spawn((task) => {
        assert.throws(() => task.waitFor(42 as never, 'x'), /waitFor\(promise, label\): expected promise to be a promise or thenable, got 42 \(number\)/);
        assert.throws(() => task.waitFor(Promise.resolve(), ''), TypeError);
      });
    });
  });
});

describe('Task has no per-task listeners when idle', () => {
  it('fires no events when nobody subscribes', async () => {
    assert.equal(taskEvents.eventNames().length, 0);
    await TaskGroup.run('g', (g) => void g.spawn(() => 1));
  });
});
