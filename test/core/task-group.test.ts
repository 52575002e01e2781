import '../helpers/no-unhandled.js';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import {
  CancelledError,
  ScopeClosedError,
  Task,
  TaskGroup,
  TaskGroupError,
  allTasks,
  sleep,
  spawn,
} from '../../src/index.js';
import { MODES, latch, rejection, tick, ticks, track, waiter } from '../helpers/core.js';

describe('TaskGroup scope exit', () => {
  it('returns the body value once every child has settled', async () => {
    const order: string[] = [];
    const value = await TaskGroup.run('g', async (group) => {
      group.spawn('a', async () => {
        await tick();
        order.push('a');
      });
      group.spawn('b', async () => {
        await ticks(2);
        order.push('b');
      });
      order.push('body');
      return 42;
    });
    order.push('after');
    assert.equal(value, 42);
    assert.deepEqual(order, ['body', 'a', 'b', 'after']);
  });

  it('waits for children spawned by children while the owner is already waiting', async () => {
    const gate = latch();
    const release = latch();
    let grandchild: Task | undefined;
    let late: Task | undefined;
    const p = track(
      TaskGroup.run('g', async (group) => {
        group.spawn('child', async () => {
          await gate.promise;
          // Into the child's own scope, and into the group that is already closing.
          grandchild = spawn('grandchild', () => release.promise);
          late = group.spawn('late', () => release.promise);
        });
        return 'body done';
      }),
    );
    await ticks(2);
    assert.equal(p.done, false);
    gate.release();
    await ticks(3);
    assert.equal(grandchild?.state, 'running');
    assert.equal(late?.state, 'running');
    assert.equal(p.done, false);
    release.release();
    assert.equal(await p.promise, 'body done');
    assert.equal(grandchild?.state, 'fulfilled');
    assert.equal(late?.state, 'fulfilled');
  });

  it('settles a group without children at once', async () => {
    assert.equal(await TaskGroup.run('empty', () => 'x'), 'x');
    assert.equal(await TaskGroup.run(async () => 1), 1);
  });

  it('names a group after its body when no name is given', async () => {
    let name = '';
    await TaskGroup.run(async function loadPage(group) {
      name = group.name;
    });
    assert.equal(name, 'loadPage');
    assert.equal(new TaskGroup().name, 'TaskGroup');
  });
});

describe('TaskGroup first failure', () => {
  for (const mode of MODES) {
    it(`cancels siblings and the body when one task fails (children ${mode} their signal)`, async () => {
      const boom = new Error('boom');
      const gate = latch();
      const release = latch();
      let sibling!: Task<string>;
      let failing!: Task;
      let bodySignal!: AbortSignal;
      let bodyWentOn = false;
      let afterScope = false;
      const p = track(
        (async () => {
          await TaskGroup.run('g', async (group) => {
            bodySignal = group.signal;
            sibling = group.spawn('sibling', waiter(mode, release, 'late'));
            failing = group.spawn('failing', async () => {
              await gate.promise;
              throw boom;
            });
            gate.release();
            await sleep(1e9);
            bodyWentOn = true;
          });
          afterScope = true;
        })(),
      );
      await ticks(3);
      const reason = sibling.signal.reason as CancelledError;
      assert.ok(reason instanceof CancelledError);
      assert.equal(reason.reason.kind, 'sibling-failed');
      assert.ok(reason.reason.kind === 'sibling-failed' && reason.reason.task === failing);
      assert.ok(reason.reason.kind === 'sibling-failed' && reason.reason.error === boom);
      assert.match(reason.message, /sibling 'failing'/);
      assert.equal(bodySignal.aborted, true);
      assert.equal(bodySignal.reason, reason);
      if (mode === 'ignore') {
        // The group still waits for the child that ignores its signal.
        await ticks(3);
        assert.equal(p.done, false);
        assert.equal(sibling.state, 'running');
        release.release();
      }
      const err = await rejection(p.promise);
      assert.ok(err instanceof TaskGroupError);
      assert.deepEqual(err.errors, [boom]);
      assert.equal(err.failures.length, 1);
      assert.equal(err.failures[0]?.source, 'task');
      assert.equal(err.failures[0]?.task, failing);
      assert.equal(err.group, 'g');
      assert.match(err.message, /TaskGroup 'g' failed with 1 error: \[failing\] Error: boom/);
      assert.equal(bodyWentOn, false);
      assert.equal(afterScope, false);
      assert.equal(sibling.state, mode === 'honour' ? 'cancelled' : 'fulfilled');
      assert.equal(failing.state, 'rejected');
    });

    it(`throws only the real errors, never cancellations (children ${mode} their signal)`, async () => {
      const a = new Error('a');
      const b = new Error('b');
      const release = latch();
      const gate = latch();
      const err = await rejection(
        TaskGroup.run('g', async (group) => {
          for (let i = 0; i < 3; i++) group.spawn(`w${i}`, waiter(mode, release, i));
          group.spawn('a', async () => {
            await gate.promise;
            throw a;
          });
          // b fails while being cancelled: a real error too.
          group.spawn('b', async (task) => {
            await new Promise((resolve) => task.signal.addEventListener('abort', resolve));
            throw b;
          });
          gate.release();
          await ticks(2);
          release.release();
        }),
      );
      assert.ok(err instanceof TaskGroupError);
      assert.deepEqual(err.errors, [a, b]);
      assert.ok(err.errors.every((e) => !(e instanceof CancelledError)));
    });
  }

  it('keeps non-Error throws as they were thrown', async () => {
    const thrown = { code: 42 };
    const err = await rejection(
      TaskGroup.run('g', (group) => {
        group.spawn('s', () => Promise.reject('a string'));
        group.spawn('o', () => Promise.reject(thrown));
      }),
    );
    assert.ok(err instanceof TaskGroupError);
    assert.deepEqual(err.errors, ['a string', thrown]);
    assert.equal(err.errors[1], thrown);
  });

  it('reports the same error object thrown by two tasks once for each task', async () => {
    const shared = new Error('shared');
    const err = await rejection(
      TaskGroup.run(
        'g',
        (g) => {
          g.spawn('a', () => Promise.reject(shared));
          g.spawn('b', () => Promise.reject(shared));
        },
        { cancelOnError: false },
      ),
    );
    assert.ok(err instanceof TaskGroupError);
    assert.deepEqual(
      err.failures.map((f) => f.task?.name),
      ['a', 'b'],
    );
  });

  it('reports an error once when the body rethrows a failed child’s error', async () => {
    const boom = new Error('boom');
    const err = await rejection(
      TaskGroup.run('g', async (group) => {
        const t = group.spawn('t', async () => {
          throw boom;
        });
        await t;
      }),
    );
    assert.ok(err instanceof TaskGroupError);
    assert.deepEqual(err.errors, [boom]);
    assert.equal(err.failures[0]?.source, 'task');
  });

  it('still throws the child’s error when the body catches the cancellation and returns normally', async () => {
    const boom = new Error('boom');
    let caught: unknown;
    const err = await rejection(
      TaskGroup.run('g', async (group) => {
        group.spawn('failing', async () => {
          throw boom;
        });
        try {
          await sleep(1e9);
        } catch (e) {
          caught = e;
        }
        return 'normal';
      }),
    );
    assert.ok(caught instanceof CancelledError);
    assert.equal(caught.reason.kind, 'sibling-failed');
    assert.ok(err instanceof TaskGroupError);
    assert.deepEqual(err.errors, [boom]);
  });

  for (const mode of MODES) {
    it(`reports both errors when a child’s cleanup throws while it is cancelled (others ${mode} their signal)`, async () => {
      const boom = new Error('boom');
      const cleanup = new Error('cleanup failed');
      const release = latch();
      const err = await rejection(
        TaskGroup.run('g', async (group) => {
          group.spawn('other', waiter(mode, release, 0));
          group.spawn('with-cleanup', async () => {
            try {
              await sleep(1e9);
            } finally {
              // eslint-disable-next-line no-unsafe-finally
              throw cleanup;
            }
          });
          group.spawn('failing', async () => {
            await tick();
            throw boom;
          });
          await ticks(3);
          release.release();
        }),
      );
      assert.ok(err instanceof TaskGroupError);
      assert.deepEqual(err.errors, [boom, cleanup]);
      assert.deepEqual(
        err.failures.map((f) => f.task?.name),
        ['failing', 'with-cleanup'],
      );
    });
  }
});

describe('TaskGroup body failure', () => {
  for (const mode of MODES) {
    it(`cancels the children when the body throws, and reports the body’s error (children ${mode} their signal)`, async () => {
      const bodyError = new Error('body');
      const release = latch();
      let child!: Task;
      const p = track(
        TaskGroup.run('g', async (group) => {
          child = group.spawn('child', waiter(mode, release, 'kept'));
          await tick();
          throw bodyError;
        }),
      );
      await ticks(2);
      const reason = child.signal.reason as CancelledError;
      assert.ok(reason instanceof CancelledError);
      assert.equal(reason.reason.kind, 'body-failed');
      assert.ok(reason.reason.kind === 'body-failed' && reason.reason.error === bodyError && reason.reason.group === 'g');
      if (mode === 'ignore') {
        await ticks(2);
        assert.equal(p.done, false);
        release.release();
      }
      const err = await rejection(p.promise);
      assert.ok(err instanceof TaskGroupError);
      assert.deepEqual(err.errors, [bodyError]);
      assert.equal(err.failures[0]?.source, 'body');
      assert.equal(err.failures[0]?.task, undefined);
      assert.equal(child.state, mode === 'honour' ? 'cancelled' : 'fulfilled');
    });
  }

  it('reports the body’s error together with the children’s errors', async () => {
    const bodyError = new Error('body');
    const childError = new Error('child');
    const err = await rejection(
      TaskGroup.run('g', async (group) => {
        group.spawn('child', async (task) => {
          await new Promise((resolve) => task.signal.addEventListener('abort', resolve));
          throw childError;
        });
        await tick();
        throw bodyError;
      }),
    );
    assert.ok(err instanceof TaskGroupError);
    assert.deepEqual(err.errors, [bodyError, childError]);
    assert.deepEqual(
      err.failures.map((f) => f.source),
      ['body', 'task'],
    );
  });

  it('reports a synchronous throw of the body', async () => {
    const bodyError = new Error('sync');
    const err = await rejection(
      TaskGroup.run('g', () => {
        throw bodyError;
      }),
    );
    assert.ok(err instanceof TaskGroupError);
    assert.deepEqual(err.errors, [bodyError]);
  });
});

describe('TaskGroup outside cancellation', () => {
  for (const mode of MODES) {
    it(`cancels every task even when an abort listener settles one of them mid-way (running tasks ${mode} their signal)`, async () => {
      const release = latch();
      const g = new TaskGroup('g', { concurrency: 2 });
      const a = g.spawn('a', waiter(mode, release, 'a'));
      const b = g.spawn('b', waiter(mode, release, 'b'));
      const q1 = g.spawn('q1', () => sleep(1e9));
      const q2 = g.spawn('q2', () => sleep(1e9));
      const q3 = g.spawn('q3', () => sleep(1e9));
      await tick();
      assert.deepEqual([q1.state, q2.state, q3.state], ['queued', 'queued', 'queued']);
      // b's listener cancels q1, the task after b in the group: queued, it settles at once and
      // leaves the group's list while the group's cancellation is going through that list.
      b.signal.addEventListener('abort', () => q1.cancel('from a listener'));
      g.cancel('stop');
      // At once: every task has its cancellation, and the queued ones (never started) have settled.
      assert.deepEqual(
        [a, b, q1, q2, q3].map((t) => t.cancellation !== undefined),
        [true, true, true, true, true],
      );
      assert.deepEqual([q1.state, q2.state, q3.state], ['cancelled', 'cancelled', 'cancelled']);
      assert.deepEqual(q1.cancellation?.reason, { kind: 'explicit', reason: 'from a listener' });
      assert.deepEqual(q3.cancellation?.reason, { kind: 'explicit', reason: 'stop' });
      release.release();
      assert.ok((await rejection(g[Symbol.asyncDispose]())) instanceof CancelledError);
      const end = mode === 'honour' ? 'cancelled' : 'fulfilled';
      assert.deepEqual([a.state, b.state], [end, end]);
    });
  }

  for (const mode of MODES) {
    it(`group.cancel(reason) rethrows the CancelledError with its reason (children ${mode} their signal)`, async () => {
      const release = latch();
      let child!: Task;
      let group!: TaskGroup;
      const p = track(
        TaskGroup.run('g', async (g) => {
          group = g;
          child = g.spawn('child', waiter(mode, release, 'v'));
          await sleep(1e9);
        }),
      );
      await tick();
      group.cancel('shutting down');
      assert.equal(child.signal.aborted, true);
      assert.equal(group.signal.aborted, true);
      if (mode === 'ignore') {
        await ticks(2);
        assert.equal(p.done, false);
        release.release();
      }
      const err = await rejection(p.promise);
      assert.ok(err instanceof CancelledError);
      assert.deepEqual(err.reason, { kind: 'explicit', reason: 'shutting down' });
      assert.equal(child.state, mode === 'honour' ? 'cancelled' : 'fulfilled');
    });

    it(`a cancelled parent task cancels the groups inside it (children ${mode} their signal)`, async () => {
      const release = latch();
      const started = latch();
      let child!: Task;
      let innerError: unknown;
      const outer = new TaskGroup('outer');
      const parent = outer.spawn('parent', async () => {
        try {
          await TaskGroup.run('inner', async (g) => {
            child = g.spawn('child', waiter(mode, release, 'v'));
            started.release();
            await sleep(1e9);
          });
        } catch (e) {
          innerError = e;
          throw e;
        }
      });
      await started.promise;
      parent.cancel('stop');
      assert.equal(child.signal.aborted, true);
      if (mode === 'ignore') {
        await ticks(2);
        assert.equal(parent.state, 'running');
        release.release();
      }
      const err = await rejection(parent);
      assert.ok(err instanceof CancelledError);
      assert.deepEqual(err.reason, { kind: 'explicit', reason: 'stop' });
      assert.ok(innerError instanceof CancelledError);
      assert.equal(innerError.reason.kind, 'parent-cancelled');
      assert.ok(innerError.reason.kind === 'parent-cancelled' && innerError.reason.parent === parent);
      assert.equal(parent.state, 'cancelled');
      await outer[Symbol.asyncDispose]();
    });

    it(`a linked signal cancels the group with reason 'signal' (children ${mode} their signal)`, async () => {
      const ac = new AbortController();
      const release = latch();
      let child!: Task;
      const p = track(
        TaskGroup.run(
          'g',
          async (g) => {
            child = g.spawn('child', waiter(mode, release, 'v'));
            await sleep(1e9);
          },
          { signal: ac.signal },
        ),
      );
      await tick();
      ac.abort('user left');
      assert.equal(child.signal.aborted, true);
      if (mode === 'ignore') {
        await ticks(2);
        assert.equal(p.done, false);
        release.release();
      }
      const err = await rejection(p.promise);
      assert.ok(err instanceof CancelledError);
      assert.deepEqual(err.reason, { kind: 'signal', reason: 'user left' });
    });
  }

  it('is cancelled at once by an already aborted signal', async () => {
    let ran = false;
    const err = await rejection(
      TaskGroup.run(
        'g',
        async (g) => {
          g.spawn('never', () => {
            ran = true;
          });
          await sleep(10);
        },
        { signal: AbortSignal.abort('early') },
      ),
    );
    assert.ok(err instanceof CancelledError);
    assert.deepEqual(err.reason, { kind: 'signal', reason: 'early' });
    assert.equal(ran, false);
  });

  it('removes its listener from the linked signal once closed', async () => {
    const ac = new AbortController();
    await TaskGroup.run('g', (g) => void g.spawn(async () => 1), { signal: ac.signal });
    assert.equal(getEventListeners(ac.signal, 'abort').length, 0);
  });

  it('real errors win over an outside cancellation', async () => {
    const cleanup = new Error('cleanup');
    let group!: TaskGroup;
    const p = TaskGroup.run('g', async (g) => {
      group = g;
      g.spawn('c', async () => {
        try {
          await sleep(1e9);
        } finally {
          // eslint-disable-next-line no-unsafe-finally
          throw cleanup;
        }
      });
      await sleep(1e9);
    });
    await tick();
    group.cancel();
    const err = await rejection(p);
    assert.ok(err instanceof TaskGroupError);
    assert.deepEqual(err.errors, [cleanup]);
  });

  it('never cancels its caller: after catching a TaskGroupError the caller’s next await works', async () => {
    const outer = new TaskGroup('outer');
    const caller = outer.spawn('caller', async (task) => {
      let caught: unknown;
      try {
        await TaskGroup.run('failing', (g) => {
          g.spawn(async () => {
            throw new Error('boom');
          });
        });
      } catch (e) {
        caught = e;
      }
      assert.ok(caught instanceof TaskGroupError);
      await sleep(1);
      assert.equal(task.signal.aborted, false);
      assert.equal(task.cancellation, undefined);
      return 'went on';
    });
    assert.equal(await caller, 'went on');
    await outer[Symbol.asyncDispose]();
  });

  it('a task that completes after cancel was requested keeps its value; the group reports the cancellation', async () => {
    const release = latch();
    let group!: TaskGroup;
    let t!: Task<string>;
    const p = TaskGroup.run('g', async (g) => {
      group = g;
      t = g.spawn('stubborn', async () => {
        await release.promise;
        return 'done anyway';
      });
    });
    await tick();
    group.cancel();
    release.release();
    const err = await rejection(p);
    assert.ok(err instanceof CancelledError);
    assert.equal(t.state, 'fulfilled');
    assert.equal(await t, 'done anyway');
    assert.ok(t.cancellation instanceof CancelledError);
  });

  it('a body that completes after cancel still reports the cancellation', async () => {
    let group!: TaskGroup;
    const gate = latch();
    const p = TaskGroup.run('g', async (g) => {
      group = g;
      await gate.promise;
      return 'value';
    });
    group.cancel();
    gate.release();
    const err = await rejection(p);
    assert.ok(err instanceof CancelledError);
  });

  it('cancel() on a closed group does nothing', async () => {
    let group!: TaskGroup;
    await TaskGroup.run('g', (g) => {
      group = g;
    });
    group.cancel();
    assert.equal(group.signal.aborted, true);
  });
});

describe('nested groups', () => {
  it('puts an inner TaskGroupError into the outer one as an element, not flattened', async () => {
    const leaf = new Error('leaf');
    let mid!: Task;
    const err = await rejection(
      TaskGroup.run('outer', (g) => {
        mid = g.spawn('mid', () =>
          TaskGroup.run('inner', (ig) => {
            ig.spawn('leaf', async () => {
              throw leaf;
            });
          }),
        );
      }),
    );
    assert.ok(err instanceof TaskGroupError);
    assert.equal(err.errors.length, 1);
    const inner = err.errors[0];
    assert.ok(inner instanceof TaskGroupError);
    assert.equal(inner.group, 'inner');
    assert.deepEqual(inner.errors, [leaf]);
    assert.equal(err.failures[0]?.task, mid);
  });

  it('reports a task’s own scope failure as a TaskGroupError named after the task', async () => {
    const leaf = new Error('leaf');
    const err = await rejection(
      TaskGroup.run('outer', (g) => {
        g.spawn('parent', async () => {
          spawn('child', async () => {
            throw leaf;
          });
          await sleep(1e9);
        });
      }),
    );
    assert.ok(err instanceof TaskGroupError);
    const inner = err.errors[0];
    assert.ok(inner instanceof TaskGroupError);
    assert.equal(inner.group, 'parent');
    assert.deepEqual(inner.errors, [leaf]);
  });

  for (const mode of MODES) {
    it(`cancellation reaches grandchildren synchronously within cancel() (they ${mode} their signal)`, async () => {
      const release = latch();
      const ready = latch();
      const signals: AbortSignal[] = [];
      let group!: TaskGroup;
      const p = track(
        TaskGroup.run('top', async (g) => {
          group = g;
          g.spawn('child', async (task) => {
            signals.push(task.signal);
            spawn('grandchild', async (gc) => {
              signals.push(gc.signal);
              await TaskGroup.run('nested', async (ng) => {
                signals.push(ng.signal);
                ng.spawn('great-grandchild', async (ggc) => {
                  signals.push(ggc.signal);
                  ready.release();
                  await waiter(mode, release, 0)(ggc);
                });
                // A group nested directly in a group body.
                await TaskGroup.run('nested-in-body', async (nb) => {
                  signals.push(nb.signal);
                  await waiter(mode, release, 0)(nb);
                });
              });
            });
            await waiter(mode, release, 0)(task);
          });
          await waiter(mode, release, 0)(g);
        }),
      );
      await ready.promise;
      await tick();
      assert.equal(signals.length, 5);
      assert.ok(signals.every((s) => !s.aborted));
      group.cancel('now');
      assert.deepEqual(
        signals.map((s) => s.aborted),
        [true, true, true, true, true],
      );
      if (mode === 'ignore') {
        await ticks(3);
        assert.equal(p.done, false);
        release.release();
      }
      const err = await rejection(p.promise);
      assert.ok(err instanceof CancelledError);
      assert.deepEqual(err.reason, { kind: 'explicit', reason: 'now' });
      assert.deepEqual(allTasks(), []);
    });
  }
});

describe('groups nested in a group body', () => {
  for (const mode of MODES) {
    it(`cancelling a group cancels the groups its body is inside, synchronously (children ${mode} their signal)`, async () => {
      const release = latch();
      const ready = latch();
      let outer!: TaskGroup;
      let inner!: TaskGroup;
      let child!: Task;
      let innerError: unknown;
      const p = track(
        TaskGroup.run('outer', async (g) => {
          outer = g;
          try {
            await TaskGroup.run('inner', async (ig) => {
              inner = ig;
              child = ig.spawn('child', waiter(mode, release, 0));
              ready.release();
              await waiter(mode, release, 0)(ig);
            });
          } catch (e) {
            innerError = e;
            throw e;
          }
        }),
      );
      await ready.promise;
      outer.cancel('stop');
      assert.equal(inner.signal.aborted, true);
      assert.equal(child.signal.aborted, true);
      if (mode === 'ignore') {
        await ticks(2);
        assert.equal(p.done, false);
        release.release();
      }
      const err = await rejection(p.promise);
      assert.ok(err instanceof CancelledError);
      assert.deepEqual(err.reason, { kind: 'explicit', reason: 'stop' });
      if (mode === 'honour') assert.ok(innerError instanceof CancelledError);
    });
  }

  it('a failure in the outer group cancels a group nested in its body; only the real error is reported', async () => {
    const boom = new Error('boom');
    let child!: Task;
    const err = await rejection(
      TaskGroup.run('outer', async (g) => {
        g.spawn('failing', async () => {
          await tick();
          throw boom;
        });
        await TaskGroup.run('inner', async (ig) => {
          child = ig.spawn('child', () => sleep(1e9));
        });
      }),
    );
    assert.ok(err instanceof TaskGroupError);
    assert.deepEqual(err.errors, [boom]);
    assert.equal(child.state, 'cancelled');
  });

  it('a group created in the body of a cancelled group is born cancelled', async () => {
    let ran = false;
    const err = await rejection(
      TaskGroup.run('outer', async (g) => {
        g.cancel();
        await TaskGroup.run('inner', async (ig) => {
          assert.equal(ig.signal.aborted, true);
          ig.spawn(() => {
            ran = true;
          });
        });
      }),
    );
    assert.ok(err instanceof CancelledError);
    assert.equal(ran, false);
  });
});

describe('spawning into closed and cancelling groups', () => {
  it('throws ScopeClosedError synchronously into a closed group and never calls the function', async () => {
    let group!: TaskGroup;
    await TaskGroup.run('g', (g) => {
      group = g;
    });
    let called = false;
    assert.throws(
      () =>
        group.spawn('late', () => {
          called = true;
        }),
      (e: unknown) => e instanceof ScopeClosedError && e.group === 'g' && /TaskGroup 'g' is closed/.test(e.message),
    );
    await ticks(2);
    assert.equal(called, false);
  });

  it('throws ScopeClosedError from spawn() in code left running after its task settled', async () => {
    const errors: unknown[] = [];
    const done = latch();
    const g = new TaskGroup('g');
    const t = g.spawn('short', () => {
      // The callback keeps the task's context, but runs after the task has settled.
      setImmediate(() => {
        try {
          spawn('orphan', () => 1);
        } catch (e) {
          errors.push(e);
        }
        done.release();
      });
    });
    await g[Symbol.asyncDispose]();
    assert.equal(t.state, 'fulfilled');
    await done.promise;
    assert.ok(errors[0] instanceof ScopeClosedError, String(errors[0]));
    assert.deepEqual(allTasks(), []);
  });

  it('returns an already cancelled task from a cancelling group and never runs its function', async () => {
    let called = false;
    let late!: Task;
    const release = latch();
    const p = TaskGroup.run('g', async (g) => {
      g.spawn('stubborn', () => release.promise);
      g.cancel('stop');
      late = g.spawn('late', () => {
        called = true;
      });
      assert.equal(late.state, 'cancelled');
      assert.ok(late.cancellation instanceof CancelledError);
      assert.equal(late.signal.aborted, true);
      release.release();
    });
    await rejection(p);
    assert.equal(called, false);
    const err = await rejection(late);
    assert.ok(err instanceof CancelledError);
  });
});

describe('TaskGroup options', () => {
  it('concurrency: n never runs more than n at once and shows the rest as queued', async () => {
    let running = 0;
    let max = 0;
    const latches = Array.from({ length: 6 }, () => latch());
    let tasks: Task[] = [];
    const p = TaskGroup.run(
      'pool',
      async (g) => {
        tasks = latches.map((l, i) =>
          g.spawn(`job${i}`, async () => {
            running++;
            max = Math.max(max, running);
            await l.promise;
            running--;
            return i;
          }),
        );
        await tick();
        assert.deepEqual(
          tasks.map((t) => t.state),
          ['running', 'running', 'queued', 'queued', 'queued', 'queued'],
        );
        for (const l of latches) {
          l.release();
          await tick();
        }
        return Promise.all(tasks);
      },
      { concurrency: 2 },
    );
    assert.deepEqual(await p, [0, 1, 2, 3, 4, 5]);
    assert.equal(max, 2);
  });

  for (const mode of MODES) {
    it(`concurrency: queued tasks that are cancelled never run (running ones ${mode} their signal)`, async () => {
      const started: string[] = [];
      const release = latch();
      let group!: TaskGroup;
      let queued!: Task;
      const p = TaskGroup.run(
        'pool',
        async (g) => {
          group = g;
          g.spawn('first', async (task) => {
            started.push('first');
            await waiter(mode, release, 0)(task);
          });
          queued = g.spawn('second', () => {
            started.push('second');
          });
          g.spawn('third', () => {
            started.push('third');
          });
        },
        { concurrency: 1 },
      );
      await tick();
      assert.equal(queued.state, 'queued');
      queued.cancel();
      assert.equal(queued.state, 'cancelled');
      group.cancel();
      release.release();
      await rejection(p);
      assert.deepEqual(started, ['first']);
    });
  }

  it('cancelOnError: false collects every error and cancels nobody', async () => {
    const e1 = new Error('1');
    const e2 = new Error('2');
    const gate = latch();
    let survivor!: Task<string>;
    let bodySignal!: AbortSignal;
    const err = await rejection(
      TaskGroup.run(
        'supervisor',
        async (g) => {
          bodySignal = g.signal;
          g.spawn('f1', async () => {
            throw e1;
          });
          survivor = g.spawn('survivor', async (task) => {
            await gate.promise;
            assert.equal(task.signal.aborted, false);
            return 'ok';
          });
          g.spawn('f2', async () => {
            await tick();
            throw e2;
          });
          await ticks(3);
          assert.equal(bodySignal.aborted, false);
          gate.release();
        },
        { cancelOnError: false },
      ),
    );
    assert.ok(err instanceof TaskGroupError);
    assert.deepEqual(err.errors, [e1, e2]);
    assert.equal(survivor.state, 'fulfilled');
    assert.equal(bodySignal.aborted, false);
  });

  it('cancelOnError: false does not cancel the children when the body fails either', async () => {
    const bodyError = new Error('body');
    let child!: Task<string>;
    const gate = latch();
    const p = TaskGroup.run(
      'supervisor',
      async (g) => {
        child = g.spawn('child', async () => {
          await gate.promise;
          return 'finished';
        });
        throw bodyError;
      },
      { cancelOnError: false },
    );
    await ticks(2);
    assert.equal(child.signal.aborted, false);
    gate.release();
    const err = await rejection(p);
    assert.ok(err instanceof TaskGroupError);
    assert.deepEqual(err.errors, [bodyError]);
    assert.equal(child.state, 'fulfilled');
  });

  for (const mode of MODES) {
    it(`daemon tasks are cancelled once the rest of the scope is done (daemon ${mode}s its signal)`, async () => {
      const release = latch();
      const work = latch();
      let daemon!: Task;
      const p = track(
        TaskGroup.run('g', (g) => {
          daemon = g.spawn('heartbeat', waiter(mode, release, 'beat'), { daemon: true });
          g.spawn('work', () => work.promise);
          return 'result';
        }),
      );
      await ticks(2);
      assert.equal(daemon.daemon, true);
      assert.equal(daemon.signal.aborted, false);
      work.release();
      await ticks(2);
      assert.equal(daemon.signal.aborted, true);
      const reason = daemon.signal.reason as CancelledError;
      assert.deepEqual(reason.reason, { kind: 'scope-done', group: 'g' });
      if (mode === 'ignore') {
        assert.equal(p.done, false);
        release.release();
      }
      assert.equal(await p.promise, 'result');
      assert.equal(daemon.state, mode === 'honour' ? 'cancelled' : 'fulfilled');
    });
  }

  it('daemon tasks in a task’s own scope stop when the task’s function returns', async () => {
    let daemon!: Task;
    const outer = new TaskGroup('o');
    const t = outer.spawn('t', async () => {
      daemon = spawn('d', () => sleep(1e9), { daemon: true });
      await tick();
      return 7;
    });
    assert.equal(await t, 7);
    assert.equal(daemon.state, 'cancelled');
    await outer[Symbol.asyncDispose]();
  });
});

describe('TaskGroup introspection', () => {
  it('group.tasks lists the live tasks as a fresh array', async () => {
    const release = latch();
    await TaskGroup.run('g', async (g) => {
      const a = g.spawn('a', () => release.promise);
      const b = g.spawn('b', () => 1);
      const list = g.tasks;
      assert.deepEqual(list, [a, b]);
      assert.notEqual(g.tasks, list);
      list.length = 0;
      assert.equal(g.tasks.length, 2);
      await b;
      assert.deepEqual(g.tasks, [a]);
      release.release();
    });
  });

  it('prints readably', async () => {
    const util = await import('node:util');
    await TaskGroup.run('load', async (g) => {
      g.spawn('a', () => tick());
      assert.equal(String(g), "TaskGroup 'load' open, 1 live of 1 spawned");
      assert.equal(util.inspect(g), "<TaskGroup 'load' open, 1 live of 1 spawned>");
    });
  });
});

describe('stack depth and complexity', () => {
  // Growth is measured in this process's CPU time, not wall time: other processes on a loaded
  // machine then do not count, and a quadratic cost still shows as a ratio far above linear.
  function cpuMs(): number {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  }

  async function nestedLevels(depth: number): Promise<number> {
    const start = cpuMs();
    const bottom = latch();
    const err = await rejection(
      TaskGroup.run('top', async (g) => {
        const level =
          (n: number) =>
          async (): Promise<void> => {
            if (n === 0) bottom.release();
            else if (n % 2 === 0) spawn(`l${n}`, level(n - 1));
            else await TaskGroup.run(`g${n}`, (ng) => void ng.spawn(`l${n}`, level(n - 1)));
            await sleep(1e9);
          };
        g.spawn('l', level(depth));
        await bottom.promise;
        g.cancel();
      }),
    );
    assert.ok(err instanceof CancelledError);
    return cpuMs() - start;
  }

  async function timed(fn: () => Promise<unknown>): Promise<number> {
    const start = cpuMs();
    await fn();
    return cpuMs() - start;
  }

  it('a supervisor collects 10,000 errors in linear time', async () => {
    const collect = (n: number) => () =>
      rejection(
        TaskGroup.run(
          'sup',
          (g) => {
            for (let i = 0; i < n; i++) {
              g.spawn(async () => {
                throw new Error(String(i));
              });
            }
          },
          { cancelOnError: false },
        ),
      ).then((e) => assert.equal((e as TaskGroupError).errors.length, n));
    await timed(collect(1000));
    const small = Math.min(await timed(collect(1000)), await timed(collect(1000)));
    const large = Math.min(await timed(collect(10_000)), await timed(collect(10_000)));
    assert.ok(large / small < 35, `1,000 errors: ${small.toFixed(1)} ms, 10,000 errors: ${large.toFixed(1)} ms`);
  });

  it('stopping 10,000 daemons takes linear time', async () => {
    const daemons = (n: number) => () =>
      TaskGroup.run('d', (g) => {
        for (let i = 0; i < n; i++) g.spawn(() => sleep(1e9), { daemon: true });
      });
    await timed(daemons(1000));
    const small = Math.min(await timed(daemons(1000)), await timed(daemons(1000)));
    const large = Math.min(await timed(daemons(10_000)), await timed(daemons(10_000)));
    assert.ok(large / small < 35, `1,000 daemons: ${small.toFixed(1)} ms, 10,000 daemons: ${large.toFixed(1)} ms`);
  });

  it('5,000 nested levels neither overflow the stack nor take quadratic time', async () => {
    await nestedLevels(500); // warm up
    const small = Math.min(await nestedLevels(1000), await nestedLevels(1000));
    const large = Math.min(await nestedLevels(5000), await nestedLevels(5000));
    assert.ok(large / small < 15, `1,000 levels: ${small.toFixed(1)} ms, 5,000 levels: ${large.toFixed(1)} ms`);
    assert.deepEqual(allTasks(), []);
  });

  it('a chain of 100,000 tasks each spawning the next does not overflow the stack', async () => {
    let count = 0;
    await TaskGroup.run('chain', (g) => {
      const next = (n: number) => (): void => {
        count++;
        if (n > 1) spawn('link', next(n - 1));
      };
      g.spawn('link', next(100_000));
    });
    assert.equal(count, 100_000);
    assert.deepEqual(allTasks(), []);
  });

  // Bodies start in a microtask, like tasks: nesting groups directly in group bodies uses
  // constant stack.
  it('10,000 groups nested directly in group bodies do not overflow the stack', async () => {
    const depth = 10_000;
    const nest = (n: number): Promise<number> =>
      TaskGroup.run(`g${n}`, async () => (n === 0 ? 0 : 1 + (await nest(n - 1))));
    assert.equal(await nest(depth), depth);
  });
});

describe('TaskGroup backpressure: size, queued, whenBelow(n)', () => {
  it('counts live and queued tasks', async () => {
    const gate = latch();
    await TaskGroup.run(
      'pool',
      async (group) => {
        for (let i = 0; i < 5; i++) group.spawn(`job-${i}`, () => gate.promise);
        assert.equal(group.size, 5);
        assert.equal(group.queued, 3);
        gate.release();
      },
      { concurrency: 2 },
    );
  });

  it('keeps a producer from running ahead of a concurrency-limited group', async () => {
    let maxLive = 0;
    let spawned = 0;
    await TaskGroup.run(
      'pool',
      async (group) => {
        for (let i = 0; i < 50; i++) {
          await group.whenBelow(6);
          group.spawn(`job-${i}`, async () => {
            await tick();
          });
          spawned++;
          maxLive = Math.max(maxLive, group.size);
        }
      },
      { concurrency: 3 },
    );
    assert.equal(spawned, 50);
    assert.equal(maxLive, 6);
  });

  it('resolves at once when the group is already below n, and rejects bad n', async () => {
    const group = new TaskGroup('empty');
    await group.whenBelow(1);
    assert.throws(() => group.whenBelow(0), { name: 'RangeError', message: /TaskGroup\.whenBelow\(n\): expected n to be an integer >= 1, got 0 \(number\)/ });
    assert.throws(() => group.whenBelow(1.5), { name: 'RangeError' });
  });

  it('is a cancellation point for the producer (a child that ignores its signal)', async () => {
    const release = latch();
    const error = await rejection(
      TaskGroup.run('pool', async (group) => {
        group.spawn('stuck', () => release.promise); // ignores its signal
        group.spawn('fails', async () => {
          await tick();
          throw new Error('boom');
        });
        try {
          await group.whenBelow(1);
        } finally {
          release.release();
        }
      }),
    );
    assert.ok(error instanceof TaskGroupError);
  });
});
