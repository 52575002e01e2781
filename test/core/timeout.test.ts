import '../helpers/no-unhandled.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CancelledError, TaskGroup, TaskGroupError, TimeoutError, sleep, spawn, withTimeout, type Task } from '../../src/index.js';
import { MODES, latch, rejection, tick, ticks, track, waiter } from '../helpers/core.js';

describe('group timeout', () => {
  for (const mode of MODES) {
    it(`rejects with TimeoutError on expiry, its cause the timeout cancellation (children ${mode} their signal)`, async () => {
      const release = latch();
      let child!: Task;
      const p = track(
        TaskGroup.run(
          'slow',
          async (g) => {
            child = g.spawn('child', waiter(mode, release, 'v'));
            await sleep(1e9);
          },
          { timeout: 5 },
        ),
      );
      await new Promise<void>((resolve) => child.signal.addEventListener('abort', () => resolve()));
      const reason = child.signal.reason as CancelledError;
      assert.deepEqual(reason.reason, { kind: 'timeout', group: 'slow', ms: 5 });
      if (mode === 'ignore') {
        await ticks(2);
        assert.equal(p.done, false);
        release.release();
      }
      const err = await rejection(p.promise);
      assert.ok(err instanceof TimeoutError);
      assert.equal(err.ms, 5);
      assert.match(err.message, /'slow' timed out after 5 ms/);
      assert.ok(err.cause instanceof CancelledError);
      assert.equal(err.cause, reason);
      assert.equal(err.cause.reason.kind, 'timeout');
    });

    it(`an outside cancel inside an unexpired timeout is a CancelledError, not a TimeoutError (children ${mode} their signal)`, async () => {
      const release = latch();
      let group!: TaskGroup;
      const p = TaskGroup.run(
        'g',
        async (g) => {
          group = g;
          g.spawn('child', waiter(mode, release, 'v'));
          await sleep(1e9);
        },
        { timeout: 60_000 },
      );
      await tick();
      group.cancel('user');
      release.release();
      const err = await rejection(p);
      assert.ok(err instanceof CancelledError);
      assert.deepEqual(err.reason, { kind: 'explicit', reason: 'user' });
    });
  }

  it('real errors win over the timeout', async () => {
    const cleanup = new Error('cleanup');
    const err = await rejection(
      TaskGroup.run(
        'g',
        (g) => {
          g.spawn('c', async () => {
            try {
              await sleep(1e9);
            } finally {
              // eslint-disable-next-line no-unsafe-finally
              throw cleanup;
            }
          });
        },
        { timeout: 1 },
      ),
    );
    assert.ok(err instanceof TaskGroupError);
    assert.deepEqual(err.errors, [cleanup]);
  });

  for (const ms of [0, -5]) {
    it(`a timeout of ${ms} fires at the body's first await`, async () => {
      let reached = false;
      let caught: unknown;
      let ran = false;
      const err = await rejection(
        TaskGroup.run(
          'now',
          async (g) => {
            reached = true;
            g.spawn(() => {
              ran = true;
            });
            try {
              await sleep(1000);
            } catch (e) {
              caught = e;
              throw e;
            }
          },
          { timeout: ms },
        ),
      );
      assert.equal(reached, true);
      assert.equal(ran, false);
      assert.ok(caught instanceof CancelledError);
      assert.equal(caught.reason.kind, 'timeout');
      assert.ok(err instanceof TimeoutError);
      assert.equal(err.ms, ms);
    });
  }

  it('a timeout of 0 reports the timeout even when the body never awaits', async () => {
    const err = await rejection(TaskGroup.run('now', () => 5, { timeout: 0 }));
    assert.ok(err instanceof TimeoutError);
  });

  it('does not fire once the group is done', async () => {
    assert.equal(await TaskGroup.run('quick', () => 1, { timeout: 1 }), 1);
    await sleep(5);
  });

  it('waits the full time for timeouts longer than one Node timer (2^31 ms)', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => void warnings.push(w);
    process.on('warning', onWarning);
    try {
      const err = await rejection(
        TaskGroup.run(
          'long',
          async (g) => {
            setTimeout(() => g.cancel('done waiting'), 30);
            await sleep(2 ** 32);
          },
          { timeout: 2 ** 32 },
        ),
      );
      assert.ok(err instanceof CancelledError, String(err));
      assert.deepEqual(err.reason, { kind: 'explicit', reason: 'done waiting' });
      await tick();
      assert.deepEqual(
        warnings.map((w) => w.name),
        [],
      );
    } finally {
      process.off('warning', onWarning);
    }
  });
});

describe('nested deadlines', () => {
  it('take the minimum: withTimeout inside a group with a shorter timeout', async () => {
    let inner: unknown;
    const start = performance.now();
    const err = await rejection(
      TaskGroup.run(
        'outer',
        async () => {
          try {
            await withTimeout(60_000, (signal) => sleep(1e9, { signal }));
          } catch (e) {
            inner = e;
            throw e;
          }
        },
        { timeout: 5 },
      ),
    );
    assert.ok(performance.now() - start < 30_000);
    assert.ok(inner instanceof CancelledError, String(inner));
    assert.ok(!(inner instanceof TimeoutError));
    assert.equal(inner.reason.kind, 'timeout');
    assert.ok(err instanceof TimeoutError, String(err));
    assert.match(err.message, /'outer'/);
  });

  it('take the minimum inside a task: an outer group timeout reaches a withTimeout in a child', async () => {
    let inner: unknown;
    let child!: Task;
    const err = await rejection(
      TaskGroup.run(
        'outer',
        (g) => {
          child = g.spawn('child', async () => {
            try {
              await withTimeout(60_000, () => sleep(1e9));
            } catch (e) {
              inner = e;
              throw e;
            }
          });
        },
        { timeout: 5 },
      ),
    );
    assert.ok(err instanceof TimeoutError);
    assert.ok(inner instanceof CancelledError && !(inner instanceof TimeoutError));
    assert.equal(child.state, 'cancelled');
  });

  it('a shorter inner deadline fires first and is a real failure of the outer scope', async () => {
    const err = await rejection(
      TaskGroup.run(
        'outer',
        async () => {
          await withTimeout(1, () => sleep(1e9));
        },
        { timeout: 60_000 },
      ),
    );
    assert.ok(err instanceof TaskGroupError);
    assert.ok(err.errors[0] instanceof TimeoutError);
    assert.equal((err.errors[0] as TimeoutError).ms, 1);
  });
});

describe('withTimeout', () => {
  it('returns the value when the work finishes in time', async () => {
    assert.equal(await withTimeout(60_000, async () => 'fast'), 'fast');
  });

  it('gives the scope’s signal to fn and rejects with TimeoutError on expiry', async () => {
    let seen: AbortSignal | undefined;
    const err = await rejection(
      withTimeout(2, async (signal) => {
        seen = signal;
        await new Promise((resolve) => signal.addEventListener('abort', resolve));
        return 'late';
      }),
    );
    assert.ok(err instanceof TimeoutError);
    assert.equal(err.ms, 2);
    assert.ok(err.cause instanceof CancelledError);
    assert.equal(seen?.aborted, true);
    assert.equal(seen?.reason, err.cause);
  });

  it('runs fn as a group body: spawn() inside goes into the timed scope and is cancelled by it', async () => {
    let child!: Task;
    const err = await rejection(
      withTimeout(2, () => {
        child = spawn('inside', () => sleep(1e9));
      }),
    );
    assert.ok(err instanceof TimeoutError);
    assert.equal(child.state, 'cancelled');
  });

  it('an outside cancel is a CancelledError, not a TimeoutError', async () => {
    const outer = new TaskGroup('outer');
    const started = latch();
    const t = outer.spawn('t', () =>
      withTimeout(60_000, async (signal) => {
        started.release();
        await sleep(1e9, { signal });
      }),
    );
    await started.promise;
    t.cancel('bye');
    const err = await rejection(t);
    assert.ok(err instanceof CancelledError);
    assert.deepEqual(err.reason, { kind: 'explicit', reason: 'bye' });
    await outer[Symbol.asyncDispose]();
  });
});
