import { performance } from 'node:perf_hooks';

/** Monotonic milliseconds; the clock every task timestamp is taken with. */
export const now: () => number = performance.now.bind(performance);

/** Converts a monotonic timestamp from {@link now} to epoch milliseconds. */
export function toEpoch(monotonic: number): number {
  return performance.timeOrigin + monotonic;
}
