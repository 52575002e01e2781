// The blocked-loop watchdog's thread. It watches the heartbeat the main thread ticks; when the
// heartbeat stops, it asks the main thread — through the inspector, which V8 services inside the
// blocked frame — which task is running and where (the probe registered by probe.ts), and while
// the block lasts it writes a report every `stillEveryMs` straight to stderr (the main thread,
// which owns process.stderr, is blocked). Never pauses the debugger. The report made when the loop
// resumes comes from the main thread.
import { writeSync } from 'node:fs';
import { Session } from 'node:inspector';
import { parentPort, workerData } from 'node:worker_threads';
import { blockedMessage, type SeenBlocker } from './blocked-message.js';

/** What the main thread passes to the worker. */
export interface WatchdogData {
  /** Int32[0]: heartbeat counter; Int32[1]: 1 = stop. */
  readonly buffer: SharedArrayBuffer;
  readonly pollMs: number;
  readonly probeAfterMs: number;
  readonly stillEveryMs: number;
  readonly warnings: boolean;
  readonly pid: number;
  readonly probeKey: string;
}

const data = workerData as WatchdogData;
const beat = new Int32Array(data.buffer);
let seen = Atomics.load(beat, 0);
let changedAt = performance.now();
let probed = false;
let nextStill = data.stillEveryMs;
let inFlight = false;
let session: Session | undefined = new Session();
session.connectToMainThread();

// The worker's own keep-alive: a pending inspector request does not keep a thread alive.
const timer = setInterval(check, data.pollMs);
parentPort?.postMessage('ready');

function check(): void {
  if (Atomics.load(beat, 1) !== 0) return stop();
  const value = Atomics.load(beat, 0);
  const t = performance.now();
  if (value !== seen) {
    seen = value;
    changedAt = t;
    probed = false;
    nextStill = data.stillEveryMs;
    return;
  }
  const stalled = t - changedAt;
  if (!probed && stalled >= data.probeAfterMs) {
    probed = true;
    probe(value, undefined);
  }
  if (stalled >= nextStill) {
    nextStill += data.stillEveryMs;
    probe(value, stalled);
  }
}

function probe(value: number, stillMs: number | undefined): void {
  if (inFlight || session === undefined) return;
  inFlight = true;
  const expression = `globalThis[Symbol.for(${JSON.stringify(data.probeKey)})]?.(${value})`;
  session.post('Runtime.evaluate', { expression, returnByValue: true, silent: true }, (error, answer) => {
    inFlight = false;
    if (error !== null || stillMs === undefined || !data.warnings) return;
    if (Atomics.load(beat, 0) !== value) return; // resumed meanwhile: the main thread reports
    const raw = (answer?.result as { value?: unknown } | undefined)?.value;
    const blocker = typeof raw === 'string' ? (JSON.parse(raw) as SeenBlocker) : undefined;
    const text = `(node:${data.pid}) [TASKTREE_BLOCKED] TaskTreeWarning: ${blockedMessage(stillMs, blocker, true)}\n`;
    try {
      writeSync(2, text);
    } catch {
      // stderr closed or full: nothing to do from here
    }
  });
}

function stop(): void {
  clearInterval(timer);
  session?.disconnect();
  session = undefined;
}
