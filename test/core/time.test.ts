import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { now, stamp } from '../../src/core/time.js';

/** Spins until the clock has moved by at least `ms` (synchronously: no other code runs). */
function spin(ms: number): void {
  const until = now() + ms;
  while (now() < until);
}

describe('stamp()', () => {
  it('reads the clock once per synchronous run: a burst of spawns costs one read', () => {
    const first = stamp();
    spin(3);
    assert.equal(stamp(), first);
  });

  it('reads it again once the microtasks queued before the reading have run: after an await, a fresh time', async () => {
    const first = stamp();
    spin(3);
    await null;
    assert.ok(stamp() >= first + 3, `expected a fresh stamp, got ${stamp()} after ${first}`);
  });
});
