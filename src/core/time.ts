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
/** Inside one of the core's own synchronous runs (see {@link openRun}). */
let inRun = false;
/** Counts the expiries of the reading: it changes only between two synchronous runs. */
let expiries = 0;
const resolved = Promise.resolve();
function expire(): void {
  cached = -1;
  expiries++;
}

/**
 * {@link now}, read at most once per synchronous run of code: the stamp of task creations, waits
 * and settlements. A burst of 100,000 spawns reads the clock once. A reading serves the rest of
 * its synchronous run and the microtasks already queued when it was taken, then expires: a stamp
 * is never older than that.
 */
export function stamp(): number {
  if (cached < 0) {
    cached = now();
    // Expire it when this run ends: a microtask, unless the run is one of the core's own.
    if (!inRun) void resolved.then(expire);
  }
  return cached;
}

/**
 * Marks the start of a synchronous run the core itself makes (starting the queued tasks): stamps
 * in it read the clock afresh, once, and {@link closeRun} expires the reading — no microtask per
 * run for that.
 */
export function openRun(): void {
  cached = -1;
  inRun = true;
  expiries++;
}

/** Ends the run begun by {@link openRun}: the next stamp reads the clock again. */
export function closeRun(): void {
  cached = -1;
  inRun = false;
  expiries++;
}

/**
 * A token for the current synchronous run, valid while a stamp is held (-1 otherwise): two calls
 * in one run return the same token, and a job queued during the run sees a different one (the
 * held reading expires before that job runs). A token of -1 tells nothing.
 */
export function runToken(): number {
  return cached < 0 ? -1 : expiries;
}

/**
 * Converts a monotonic timestamp from {@link now} to epoch milliseconds: `performance.timeOrigin`
 * (fractional) plus the whole milliseconds, so two converted times differ by whole milliseconds.
 */
export function toEpoch(monotonic: number): number {
  return performance.timeOrigin + monotonic;
}

/** The longest delay one `setTimeout` can wait (2^31 - 1 ms, about 24.8 days). */
export const MAX_TIMER_MS = 2_147_483_647;
