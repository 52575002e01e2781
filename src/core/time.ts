import { performance } from 'node:perf_hooks';

/**
 * Monotonic whole milliseconds since the process started; the clock every task timestamp is
 * taken with. Whole numbers are stored in a task's fields as small integers, where fractional
 * ones would each take a 16-byte heap box (24 days of uptime fit; beyond that they still work).
 */
export function now(): number {
  return Math.trunc(performance.now());
}

/** Converts a monotonic timestamp from {@link now} to epoch milliseconds. */
export function toEpoch(monotonic: number): number {
  return performance.timeOrigin + monotonic;
}

/** The longest delay one `setTimeout` can wait (2^31 - 1 ms, about 24.8 days). */
export const MAX_TIMER_MS = 2_147_483_647;
