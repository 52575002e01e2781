import { Worker } from 'node:worker_threads';
import { blockedMessage } from './blocked-message.js';
import { frameLocation } from './frames.js';
import { PROBE_KEY, registerProbe, unregisterProbe, type ProbeResult } from './probe.js';
import { printWarning, report } from './report.js';
import { SESSION_CONNECTED, SESSION_NONE, SESSION_REFUSED } from './watchdog-session.js';
import type { WatchdogData } from './watchdog-worker.js';

// The main-thread half of the blocked-loop watchdog: an unref'd interval ticks a shared
// heartbeat and measures its own lateness (that is the blocked time); the worker thread
// (watchdog-worker.ts) notices a stalled heartbeat and runs the probe inside the blocked frame.

interface Watchdog {
  readonly worker: Worker;
  readonly timer: NodeJS.Timeout;
  readonly beat: Int32Array;
  readonly tickMs: number;
  readonly slowMs: number;
  readonly ready: Promise<void>;
  lastTick: number;
  /** What the probe saw during the current stall. */
  seen: ProbeResult | undefined;
}

let current: Watchdog | undefined;
/** The heartbeats of watchdog threads that have not exited yet (a stopped one ends by itself). */
const threads = new Set<Int32Array>();
let exitListener = false;

/**
 * At process exit, every watchdog thread still connected to the main thread's inspector
 * disconnects first (the main thread waits for it, at most 250 ms): Node would otherwise print
 * `Waiting for the debugger to disconnect...`, as if a debugger were attached.
 */
function disconnectAtExit(): void {
  for (const beat of threads) {
    const state = Atomics.compareExchange(beat, 2, SESSION_NONE, SESSION_REFUSED);
    if (state !== SESSION_CONNECTED) continue;
    Atomics.store(beat, 1, 1);
    Atomics.notify(beat, 1);
    Atomics.wait(beat, 2, SESSION_CONNECTED, 250);
  }
}

/** Starts the watchdog (restarts it if running). Never keeps the process alive. */
export function startWatchdog(slowMs: number, warnings: boolean): void {
  stopWatchdog();
  const beat = new Int32Array(new SharedArrayBuffer(12));
  const tickMs = Math.max(1, Math.min(20, slowMs / 4));
  const data: WatchdogData = {
    buffer: beat.buffer as SharedArrayBuffer,
    pollMs: Math.max(2, tickMs / 2),
    probeAfterMs: Math.max(slowMs / 2, 2 * tickMs),
    stillEveryMs: Math.max(1000, 2 * slowMs),
    warnings: warnings && !silenced(),
    pid: process.pid,
    probeKey: PROBE_KEY,
  };
  // No execArgv: the user's --import/--require preloads must not run in the watchdog thread.
  const worker = new Worker(new URL('./watchdog-worker.js', import.meta.url), {
    workerData: data,
    execArgv: [],
    name: 'tasktree-watchdog',
    stdout: true,
    stderr: true,
  });
  worker.unref();
  threads.add(beat);
  worker.once('exit', () => threads.delete(beat));
  if (!exitListener) {
    exitListener = true;
    process.on('exit', disconnectAtExit);
  }
  const ready = new Promise<void>((resolve) => {
    worker.once('message', () => resolve());
    worker.once('exit', () => resolve());
  });
  worker.on('error', (error) => {
    printWarning(`the blocked-loop watchdog stopped: ${error.message}`, 'TASKTREE_WATCHDOG', false);
    if (current?.worker === worker) stopWatchdog();
  });
  const timer = setInterval(tick, tickMs);
  timer.unref();
  const dog: Watchdog = { worker, timer, beat, tickMs, slowMs, ready, lastTick: performance.now(), seen: undefined };
  registerProbe(beat, (result) => {
    dog.seen ??= result;
  });
  current = dog;
}

/** Stops the watchdog: the interval, the worker thread, the probe. */
export function stopWatchdog(): void {
  const dog = current;
  if (dog === undefined) return;
  current = undefined;
  clearInterval(dog.timer);
  // The thread disconnects its inspector session and ends by itself; one that has not connected
  // yet never will.
  Atomics.compareExchange(dog.beat, 2, SESSION_NONE, SESSION_REFUSED);
  Atomics.store(dog.beat, 1, 1);
  Atomics.notify(dog.beat, 1);
  unregisterProbe();
}

/**
 * Resolves once the running watchdog's thread watches, or after 2 s at most (a thread that has not
 * started by then is not worth holding `run()` for); `undefined` when no watchdog runs.
 */
export function watchdogWatching(): Promise<void> | undefined {
  const dog = current;
  if (dog === undefined) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, 2000);
    timer.unref();
  });
  return Promise.race([dog.ready, late]).finally(() => clearTimeout(timer));
}

/** @internal Resolves once the worker watches (tests wait for it before they block the loop). */
export function watchdogReady(): Promise<void> {
  return current?.ready ?? Promise.resolve();
}

function tick(): void {
  const dog = current;
  if (dog === undefined) return;
  const t = performance.now();
  // The tick was due `tickMs` after the last one: the rest of the gap, give or take half a tick,
  // is how long the loop could not run.
  const blockedMs = t - dog.lastTick - dog.tickMs / 2;
  dog.lastTick = t;
  Atomics.add(dog.beat, 0, 1);
  const seen = dog.seen;
  dog.seen = undefined;
  if (blockedMs < dog.slowMs) return;
  const durationMs = Math.round(blockedMs);
  report({
    kind: 'blocked',
    message: blockedMessage(durationMs, seen, false),
    durationMs,
    task: seen?.path ?? null,
    taskId: seen?.id ?? null,
    where: frameLocation(seen?.frames[0]),
    stack: seen?.frames ?? [],
  });
}

function silenced(): boolean {
  return (
    process.env['NODE_NO_WARNINGS'] === '1' ||
    process.execArgv.includes('--no-warnings') ||
    (process.env['NODE_OPTIONS'] ?? '').includes('--no-warnings')
  );
}
