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
import { SESSION_CLOSED, SESSION_CONNECTED, SESSION_NONE } from './watchdog-session.js';

/** What the main thread passes to the worker. */
export interface WatchdogData {
  /** Int32[0]: heartbeat counter; Int32[1]: 1 = stop; Int32[2]: the session's state (watchdog-session.ts). */
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
let session: Session | undefined;
if (Atomics.compareExchange(beat, 2, SESSION_NONE, SESSION_CONNECTED) === SESSION_NONE) {
  session = new Session();
  session.connectToMainThread();
}

// The worker's own keep-alive: a pending inspector request does not keep a thread alive.
const timer = setInterval(check, data.pollMs);
// Ready once the main thread has answered through the session (it is live there too).
if (session === undefined) parentPort?.postMessage('ready');
else session.post('Runtime.evaluate', { expression: '0', silent: true }, () => parentPort?.postMessage('ready'));
// Stop as soon as the main thread says so (it may be exiting, and waiting for the disconnect).
const stopping = (Atomics as unknown as AtomicsWaitAsync).waitAsync(beat, 1, 0);
if (stopping.async) void stopping.value.then(stop);
else stop();
// Told to stop before it could connect (the process is exiting, or debug mode went off).
if (session === undefined) stop();

interface AtomicsWaitAsync {
  waitAsync(array: Int32Array, index: number, value: number): { async: false; value: string } | { async: true; value: Promise<string> };
}

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
  Atomics.store(beat, 2, SESSION_CLOSED);
  Atomics.notify(beat, 2);
  // Nothing else is left to do: end the thread now (the main thread does not terminate it, which
  // could cut it off before it disconnects).
  process.exit(0);
}
