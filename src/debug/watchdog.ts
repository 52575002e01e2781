import { Worker } from 'node:worker_threads';
import { blockedMessage } from './blocked-message.js';
import { frameLocation } from './frames.js';
import { PROBE_KEY, registerProbe, unregisterProbe, type ProbeResult } from './probe.js';
import { printWarning, report } from './report.js';
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

/** Starts the watchdog (restarts it if running). Never keeps the process alive. */
export function startWatchdog(slowMs: number, warnings: boolean): void {
  stopWatchdog();
  const beat = new Int32Array(new SharedArrayBuffer(8));
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
  Atomics.store(dog.beat, 1, 1);
  unregisterProbe();
  dog.worker.terminate().catch(() => undefined);
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
