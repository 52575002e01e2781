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
function expire(): void {
  cached = -1;
}

/**
 * {@link now}, read at most once per synchronous part of an event-loop callback and once per
 * drain of the microtask queue after it: the stamp of task creations, waits and settlements.
 * Task timestamps are whole milliseconds, and a chain of 1,000 tasks each awaiting the next
 * settles within one drain, so re-reading the clock at every microtask would cost more than the
 * spawns (and, on Node 20, a promise per read). A stamp is at most as old as the JavaScript that
 * ran before it in the same drain; while that runs, the event loop does not turn, and only the
 * debug watchdog can look in.
 */
export function stamp(): number {
  if (cached < 0) {
    cached = now();
    // Queued from a microtask, a next-tick callback runs once the microtask queue is empty;
    // queued from the synchronous part of a callback, right after it, before its microtasks.
    process.nextTick(expire);
  }
  return cached;
}

/** Converts a monotonic timestamp from {@link now} to epoch milliseconds. */
export function toEpoch(monotonic: number): number {
  return performance.timeOrigin + monotonic;
}

/** The longest delay one `setTimeout` can wait (2^31 - 1 ms, about 24.8 days). */
export const MAX_TIMER_MS = 2_147_483_647;
