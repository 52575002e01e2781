/**
 * The flight recorder: while it is on, every task's lifecycle steps (spawn, start, wait, resume,
 * cancel, settle) go into a bounded ring, six slots per event — the step, the task's sequence
 * number, the time (the core's clock stamp), what the step is about, the task's name and group —
 * written by the core's `hooks.record` and read into a {@link Recording} only when asked
 * (recording.ts). Nothing is formatted on the task's path, and **the ring holds no task**: a task
 * kept reachable by the ring would outlive the young generation and be promoted, which costs the
 * garbage collector more than everything else the recorder does (see docs/performance.md). It
 * holds numbers and strings, the groups tasks were spawned into (and so their owners), and what a
 * wait, a cancellation or a failure is about: a wait's group or tasks, a CancelledError, an error.
 */
import { Task } from '../core/index.js';
import {
  hooks,
  isQueued,
  liveTasks,
  stamp as importedStamp,
  taskCancellation as importedTaskCancellation,
  taskGroup as importedTaskGroup,
  taskResult as importedTaskResult,
  taskSeq as importedTaskSeq,
  taskStateCode as importedTaskStateCode,
  type RecordStep,
} from '../core/internal.js';
import { buildRecording, initialOf, type InitialEntry, type RingEvent, type RingStep } from './recording.js';
import type { Recording } from './recording-schema.js';

// On every task's path while recording: module-local constants (see "Hot paths" in core/index.ts).
const stamp = importedStamp;
const taskSeq = importedTaskSeq;
const taskGroup = importedTaskGroup;
const taskStateCode = importedTaskStateCode;
const taskResult = importedTaskResult;
const taskCancellation = importedTaskCancellation;
const TaskClass = Task;

/** Options of {@link startRecording}. */
export interface RecordingOptions {
  /** How many events the ring keeps (the oldest go first); default 10,000, at least 16. */
  readonly capacity?: number;
}

/** @internal */
export const DEFAULT_CAPACITY = 10_000;
const MIN_CAPACITY = 16;
const MAX_CAPACITY = 10_000_000;
/** Slots per event: step, task seq, time, detail, task name, task group. */
const STRIDE = 6;

let ring: unknown[] = [];
/** Slots in the ring (capacity × STRIDE). */
let size = 0;
/** The next slot to write. */
let pos = 0;
/** The slot of the last event written. */
let lastPos = 0;
/** The task (its seq) of the last event, when that event is a wait (a batch of awaits is one wait). */
let lastWaiter = -1;
/** Events written since the start. */
let written = 0;
let startedAt = 0;
let initial: InitialEntry[] = [];
let on = false;
/** Counts the starts from off: tells one recording from the next. */
let generation = 0;

// Settled states (core/task-state.ts): 2 fulfilled, 3 rejected, 4 cancelled.
const REJECTED = 3;
const CANCELLED = 4;

function record(step: RecordStep, task: Task, detail: unknown): void {
  const time = stamp();
  const seq = taskSeq(task);
  let at: number;
  if (step === 'wait' && seq === lastWaiter && ring[lastPos + 2] === time) {
    // The same wait, grown (`Promise.all([a, b])` reads a.then, then b.then): one event.
    at = lastPos;
  } else {
    at = lastPos = pos;
    pos = pos + STRIDE === size ? 0 : pos + STRIDE;
    written++;
  }
  lastWaiter = step === 'wait' ? seq : -1;
  // What to keep of the step: never the task, never a fulfilled task's value.
  let kept: RingStep = step;
  let about: unknown = detail;
  if (step === 'spawn') {
    kept = detail === true ? (task.daemon ? 'spawn-qd' : 'spawn-q') : task.daemon ? 'spawn-d' : 'spawn';
    about = undefined;
  } else if (step === 'wait') {
    // A wait on one task keeps its number; on several, their list (else the group, the sleep, the label).
    if (detail instanceof TaskClass) {
      kept = 'wait-task';
      about = taskSeq(detail);
    }
  } else if (step === 'resume') {
    about = undefined;
  } else if (step === 'settle') {
    const state = taskStateCode(task);
    if (state === REJECTED) {
      kept = 'settle-rejected';
      about = taskResult(task);
    } else if (state === CANCELLED) {
      const own = taskCancellation(task);
      kept = own === undefined ? 'settle-rethrown' : 'settle-cancelled';
      about = own ?? taskResult(task);
    }
  }
  ring[at] = kept;
  ring[at + 1] = seq;
  ring[at + 2] = time;
  ring[at + 3] = about;
  ring[at + 4] = task.name;
  ring[at + 5] = taskGroup(task);
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
 * Off by default; off, it costs nothing. On, it costs a little per task (see docs/performance.md).
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
  lastWaiter = -1;
  written = 0;
  startedAt = stamp();
  // Described now, once: the ring holds no task, and neither does this.
  initial = liveTasks().map((task) => initialOf(task, isQueued(task)));
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
    const at = i * STRIDE;
    ring[at] = event.step;
    ring[at + 1] = event.task;
    ring[at + 2] = event.time;
    ring[at + 3] = event.detail;
    ring[at + 4] = event.name;
    ring[at + 5] = event.group;
  });
  pos = kept.length * STRIDE === size ? 0 : kept.length * STRIDE;
  lastPos = kept.length === 0 ? 0 : (kept.length - 1) * STRIDE;
  lastWaiter = -1;
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
    out.push({
      seq: firstSeq + i,
      step: ring[at] as RingStep,
      task: ring[at + 1] as number,
      time: ring[at + 2] as number,
      detail: ring[at + 3],
      name: ring[at + 4] as string,
      group: ring[at + 5] as RingEvent['group'],
    });
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
  lastWaiter = -1;
  initial = [];
}

/**
 * @internal The events after number `after` (for a reader that follows the recorder; -1: the whole
 * recording, with the tasks alive at its start), or `null` when it is off.
 */
export function readRecordingAfter(after: number, reason: Recording['reason'] = 'read'): Recording | null {
  return on ? read(reason, after < 0 ? undefined : after) : null;
}

/** @internal Which recording is going on (bumped by every start from off). */
export function recorderGeneration(): number {
  return generation;
}

/** @internal How the recorder stands, for the agent. */
export function recorderStatus(): { recording: boolean; capacity: number; recorded: number } {
  return { recording: on, capacity: size / STRIDE, recorded: written };
}
