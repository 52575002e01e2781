/**
 * The flight recorder: while it is on, every task's lifecycle steps (spawn, start, wait, resume,
 * cancel, settle) go into a bounded ring, four slots per event — the step, the task, what the step
 * is about, the time (the core's clock stamp) — written by the core's `hooks.record` and read into
 * a {@link Recording} only when asked (recording.ts). Nothing is formatted on the task's path.
 * The ring holds the tasks themselves (and, for a wait or a cancellation, its target or its error)
 * until newer events overwrite them: a task and its result stay reachable that long.
 */
import type { Task } from '../core/index.js';
import { hooks, liveTasks, rawWait, stamp as importedStamp, taskCancellation, isQueued, type RecordStep } from '../core/internal.js';
import { buildRecording, type InitialRef, type RingEvent } from './recording.js';
import type { Recording } from './recording-schema.js';

// On every task's path while recording: a module-local constant (see "Hot paths" in core/index.ts).
const stamp = importedStamp;

/** Options of {@link startRecording}. */
export interface RecordingOptions {
  /** How many events the ring keeps (the oldest go first); default 10,000, at least 16. */
  readonly capacity?: number;
}

/** @internal */
export const DEFAULT_CAPACITY = 10_000;
const MIN_CAPACITY = 16;
const MAX_CAPACITY = 10_000_000;
const STRIDE = 4;

let ring: unknown[] = [];
/** Slots in the ring (capacity × STRIDE). */
let size = 0;
/** The next slot to write. */
let pos = 0;
/** The slot of the last event written. */
let lastPos = 0;
/** The task of the last event, when that event is a wait (a batch of awaits is one wait). */
let lastWaiter: Task | undefined;
/** Events written since the start. */
let written = 0;
let startedAt = 0;
let initial: InitialRef[] = [];
let on = false;
/** Counts the starts from off: tells one recording from the next. */
let generation = 0;

function record(step: RecordStep, task: Task, detail: unknown): void {
  const time = stamp();
  let at: number;
  if (step === 'wait' && task === lastWaiter && ring[lastPos + 3] === time) {
    // The same wait, grown (`Promise.all([a, b])` reads a.then, then b.then): one event.
    at = lastPos;
  } else {
    at = lastPos = pos;
    pos = pos + STRIDE === size ? 0 : pos + STRIDE;
    written++;
  }
  lastWaiter = step === 'wait' ? task : undefined;
  ring[at] = step;
  ring[at + 1] = task;
  ring[at + 2] = detail;
  ring[at + 3] = time;
}

function checkCapacity(api: string, options: RecordingOptions | undefined): number {
  if (options === undefined) return DEFAULT_CAPACITY;
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${api}: expected options to be an object, got ${String(options)} (${typeof options})`);
  }
  const capacity = options.capacity;
  if (capacity === undefined) return DEFAULT_CAPACITY;
  if (typeof capacity !== 'number' || !Number.isInteger(capacity) || capacity < MIN_CAPACITY || capacity > MAX_CAPACITY) {
    throw new RangeError(`${api}: expected capacity to be an integer from ${MIN_CAPACITY} to ${MAX_CAPACITY}, got ${String(capacity)} (${typeof capacity})`);
  }
  return capacity;
}

/**
 * Switches the flight recorder on: from now on every task's spawn, start, waits (what it waits on),
 * resumes, cancellation requests (who asked) and settling (its outcome) go into a ring of the
 * latest `capacity` events, each with its time. Read them with {@link readRecording}; switch it off
 * with {@link stopRecording}. Already on: it goes on recording, into a ring of the new capacity
 * when one is given (keeping the newest events that fit).
 *
 * Costs little per task while on (see docs/performance.md); off, nothing: it is off by default.
 *
 * @throws RangeError when `capacity` is not an integer from 16 to 10,000,000.
 * @example
 * ```ts
 * import { run, spawn, sleep } from 'tasktree';
 * import { readRecording, startRecording, stopRecording } from 'tasktree/inspect';
 * startRecording({ capacity: 1000 });
 * await run(async () => {
 *   spawn('fetch', () => sleep(5));
 * });
 * const recording = readRecording();
 * console.log(recording.events.map((e) => e.type).join(' ')); // spawn start spawn start wait resume settle settle …
 * stopRecording();
 * ```
 */
export function startRecording(options?: RecordingOptions): void {
  const capacity = checkCapacity('startRecording(options)', options);
  if (on) {
    if (options?.capacity !== undefined && capacity * STRIDE !== size) resize(capacity);
    return;
  }
  ring = new Array<unknown>(capacity * STRIDE).fill(0);
  size = capacity * STRIDE;
  pos = lastPos = 0;
  lastWaiter = undefined;
  written = 0;
  startedAt = stamp();
  initial = liveTasks().map((task) => {
    const { target, since } = rawWait(task);
    return { task, queued: isQueued(task), target, since, cancel: taskCancellation(task) };
  });
  on = true;
  generation++;
  hooks.record = record;
}

/** Keeps the newest events that fit in a ring of `capacity`. */
function resize(capacity: number): void {
  const kept = events().slice(-capacity);
  const dropped = written - kept.length;
  ring = new Array<unknown>(capacity * STRIDE).fill(0);
  size = capacity * STRIDE;
  kept.forEach((event, i) => {
    ring[i * STRIDE] = event.step;
    ring[i * STRIDE + 1] = event.task;
    ring[i * STRIDE + 2] = event.detail;
    ring[i * STRIDE + 3] = event.time;
  });
  pos = kept.length * STRIDE === size ? 0 : kept.length * STRIDE;
  lastPos = kept.length === 0 ? 0 : (kept.length - 1) * STRIDE;
  lastWaiter = undefined;
  // The numbering goes on: events keep their numbers.
  written = dropped + kept.length;
}

/** The events in the ring, oldest first, with their numbers. */
function events(after = -1): RingEvent[] {
  const capacity = size / STRIDE;
  const kept = Math.min(written, capacity);
  const firstSeq = written - kept;
  const from = Math.max(0, after + 1 - firstSeq);
  const start = written <= capacity ? 0 : pos / STRIDE;
  const out: RingEvent[] = [];
  for (let i = from; i < kept; i++) {
    const at = ((start + i) % capacity) * STRIDE;
    out.push({ seq: firstSeq + i, step: ring[at] as RecordStep, task: ring[at + 1] as Task, detail: ring[at + 2], time: ring[at + 3] as number });
  }
  return out;
}

/** Whether the flight recorder is on. */
export function isRecording(): boolean {
  return on;
}

function read(reason: Recording['reason'], after?: number): Recording {
  return buildRecording({ reason, startedAt, capacity: size / STRIDE, recorded: written, events: events(after), initial, after });
}

/**
 * What the flight recorder holds now, as a {@link Recording} (frozen plain data, ready for
 * `JSON.stringify`); it goes on recording.
 *
 * @throws Error when the recorder is off (see {@link startRecording}).
 */
export function readRecording(): Recording {
  if (!on) throw new Error('readRecording(): the flight recorder is off; switch it on with startRecording() first');
  return read('read');
}

/**
 * Switches the flight recorder off and returns what it held (the ring is released); `null` when
 * it was off.
 */
export function stopRecording(): Recording | null {
  if (!on) return null;
  const recording = read('stop');
  release();
  return recording;
}

function release(): void {
  if (hooks.record === record) hooks.record = undefined;
  on = false;
  ring = [];
  size = pos = lastPos = written = 0;
  lastWaiter = undefined;
  initial = [];
}

/** @internal The events after number `after` (for a reader that follows the recorder), or `null` when it is off. */
export function readRecordingAfter(after: number, reason: Recording['reason'] = 'read'): Recording | null {
  return on ? read(reason, after) : null;
}

/** @internal Which recording is going on (bumped by every start from off). */
export function recorderGeneration(): number {
  return generation;
}

/** @internal How the recorder stands, for the agent. */
export function recorderStatus(): { recording: boolean; capacity: number; recorded: number } {
  return { recording: on, capacity: size / STRIDE, recorded: written };
}
