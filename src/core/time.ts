import { performance } from 'node:perf_hooks';

/**
 * Monotonic whole milliseconds since the process started; the clock every task timestamp is
 * taken with. Whole numbers are stored in a task's fields as small integers, where fractional
 * ones would each take a 16-byte heap box (24 days of uptime fit; beyond that they still work).
 */
export function now(): number {
  return Math.trunc(performance.now());
}

let cached = -1;
const resolved = Promise.resolve();
function expire(): void {
  cached = -1;
}

/**
 * {@link now}, read at most once per synchronous run of code: the stamp of task creations, waits
 * and settlements. A burst of 100,000 spawns reads the clock once; a stamp is at most as old as
 * the synchronous code that ran before it in the same turn.
 */
export function stamp(): number {
  if (cached < 0) {
    cached = now();
    void resolved.then(expire);
  }
  return cached;
}

/** Converts a monotonic timestamp from {@link now} to epoch milliseconds. */
export function toEpoch(monotonic: number): number {
  return performance.timeOrigin + monotonic;
}

/** The longest delay one `setTimeout` can wait (2^31 - 1 ms, about 24.8 days). */
export const MAX_TIMER_MS = 2_147_483_647;
