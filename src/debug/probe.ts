import { Task } from '../core/index.js';
import { storage } from '../core/internal.js';
import { captureSite } from './capture.js';
import { userFrames } from './frames.js';

// The function the watchdog worker evaluates through the inspector while the main thread is
// blocked. V8 services the evaluation inside the blocked frame, so the current async context is
// the blocking task's and the stack is the blocking code's. It reads only.

/** What the probe saw. */
export interface ProbeResult {
  readonly path: string | null;
  readonly id: string | null;
  readonly frames: readonly string[];
}

/** The symbol the probe is registered under on `globalThis`. */
export const PROBE_KEY = 'tasktree.debug.probe';

/**
 * Registers the probe. `heartbeat` is the shared counter the main thread ticks: a probe asked for
 * while it read `seen` returns `null` when the loop has moved on since (the answer would be stale).
 * `onResult` keeps the last answer for the report made when the loop resumes.
 */
export function registerProbe(heartbeat: Int32Array, onResult: (result: ProbeResult) => void): void {
  const probe = (seen: number): string | null => {
    if (Atomics.load(heartbeat, 0) !== seen) return null;
    const holder = captureSite(probe, 4);
    const scope = storage.getStore();
    const task = scope === undefined ? undefined : scope instanceof Task ? scope : scope.owner;
    const result: ProbeResult = {
      path: task === undefined ? null : task.path,
      id: task === undefined ? null : task.id,
      frames: userFrames(holder).slice(0, 8),
    };
    onResult(result);
    return JSON.stringify(result);
  };
  (globalThis as Record<symbol, unknown>)[Symbol.for(PROBE_KEY)] = probe;
}

/** Removes the probe from `globalThis`. */
export function unregisterProbe(): void {
  delete (globalThis as Record<symbol, unknown>)[Symbol.for(PROBE_KEY)];
}
