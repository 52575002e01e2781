import '../helpers/no-unhandled.js';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { CancelledError, TaskGroup, sleep } from '../../src/index.js';
import { rejection, tick } from '../helpers/core.js';

describe('sleep()', () => {
  it('resolves after the time, inside and outside tasks', async () => {
    const start = performance.now();
    await sleep(5);
    assert.ok(performance.now() - start >= 4);
    await TaskGroup.run('g', (g) => void g.spawn(() => sleep(1)));
  });

  it('resolves on the next timer tick for zero and negative times', async () => {
    await sleep(0);
    await sleep(-10);
  });

  it('rejects with the task’s CancelledError as soon as the task is cancelled', async () => {
    const g = new TaskGroup('g');
    let caught: unknown;
    const t = g.spawn('t', async () => {
      try {
        await sleep(1e9);
      } catch (e) {
        caught = e;
        throw e;
      }
    });
    await tick();
    t.cancel('now');
    await rejection(t);
    assert.equal(caught, t.cancellation);
    await g[Symbol.asyncDispose]();
  });

  it('in a group body, uses the group’s signal', async () => {
    let caught: unknown;
    const p = TaskGroup.run('g', async (g) => {
      setImmediate(() => g.cancel('stop'));
      try {
        await sleep(1e9);
      } catch (e) {
        caught = e;
      }
    });
    await rejection(p);
    assert.ok(caught instanceof CancelledError);
    assert.deepEqual(caught.reason, { kind: 'explicit', reason: 'stop' });
  });

  it('rejects at once with the reason of an already aborted signal', async () => {
    const reason = new Error('gone');
    assert.equal(await rejection(sleep(1e9, { signal: AbortSignal.abort(reason) })), reason);
  });

  it('stops early when the given signal aborts, and removes its listener when done', async () => {
    const ac = new AbortController();
    const p = sleep(1e9, { signal: ac.signal });
    assert.equal(getEventListeners(ac.signal, 'abort').length, 1);
    ac.abort('why');
    assert.equal(await rejection(p), 'why');
    const ac2 = new AbortController();
    await sleep(1, { signal: ac2.signal });
    assert.equal(getEventListeners(ac2.signal, 'abort').length, 0);
  });

  it('does not end early for times longer than one Node timer (2^31 ms)', async () => {
    const ac = new AbortController();
    let ended = false;
    const p = sleep(2 ** 32, { signal: ac.signal }).then(() => {
      ended = true;
    });
    await sleep(20);
    assert.equal(ended, false);
    ac.abort('done');
    assert.equal(await rejection(p), 'done');
  });

  it('rejects bad input with a RangeError or TypeError naming the API', () => {
    assert.throws(() => sleep(NaN), { name: 'RangeError', message: 'sleep(ms, options): expected ms to be a finite number of milliseconds, got NaN (number)' });
    assert.throws(() => sleep(Infinity), RangeError);
    assert.throws(() => sleep('5' as never), /expected ms to be a finite number of milliseconds, got '5' \(string\)/);
    assert.throws(() => sleep(1, 'x' as never), { name: 'TypeError', message: "sleep(ms, options): expected options to be an object, got 'x' (string)" });
    assert.throws(() => sleep(1, { signal: {} as never }), { name: 'TypeError', message: /sleep\(ms, options\): expected signal to be an AbortSignal, got \[object Object\] \(object\)/ });
  });
});
