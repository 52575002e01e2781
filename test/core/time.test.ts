import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { now, stamp } from '../../src/core/time.js';

/** Spins until the clock has moved by at least `ms` (no sleeping: the event loop must not turn). */
function spin(ms: number): void {
  const until = now() + ms;
  while (now() < until);
}

describe('stamp()', () => {
  it('reads the clock once per drain of the microtask queue', async () => {
    await nextTurn();
    const first = stamp();
    spin(3);
    await null; // a later microtask of the same drain
    assert.equal(stamp(), first);
  });

  it('reads it again once the event loop has turned', async () => {
    await nextTurn();
    const first = stamp();
    spin(3);
    await nextTurn();
    assert.ok(stamp() >= first + 3, `expected a fresh stamp, got ${stamp()} after ${first}`);
  });

  it('reads it again after the synchronous part of a callback, for the microtasks it queued', async () => {
    await nextTurn();
    const seen = await new Promise<[number, number]>((resolve) => {
      setImmediate(() => {
        const inCallback = stamp();
        spin(3);
        void Promise.resolve().then(() => resolve([inCallback, stamp()]));
      });
    });
    assert.ok(seen[1] >= seen[0] + 3, `expected the microtask to read the clock again: ${seen.join(' then ')}`);
  });
});
