/**
 * The flight recorder's ring read into a {@link Recording}: each event's task named from what the
 * ring kept (its number, name and group: the group gives its parent, and so its path), each
 * wait, cancellation and failure described now (ids, who cancelled and why), every task named
 * listed once. Pure reading, done only when a recording is asked for.
 */
import { CancelledError, type Task, type TaskGroup } from '../core/index.js';
import {
  describeError,
  finishedTasks,
  formatId,
  groupInPath,
  liveTasks,
  now,
  rawWait,
  taskCancellation,
  taskCreated,
  taskRare,
  taskGroup,
  taskSeq,
  toEpoch,
  waitTarget,
  type RecordStep,
} from '../core/internal.js';
import { cancelInfo, type OriginCache } from './cancel-info.js';
import type { InitialTask, RecordedEvent, RecordedTask, RecordedWait, Recording } from './recording-schema.js';
import type { CancelInfo } from './schema.js';

/**
 * A step as the ring keeps it: the core's step, with what it needs told apart without keeping the
 * task — `spawn-q` queued, `spawn-d` a daemon, `spawn-qd` both; `wait-task` a wait on one task
 * (its number); `settle` fulfilled, `settle-rejected` (the error), `settle-cancelled` (its own
 * CancelledError), `settle-rethrown` (another's cancellation it let through).
 */
export type RingStep = RecordStep | 'spawn-q' | 'spawn-d' | 'spawn-qd' | 'wait-task' | 'settle-rejected' | 'settle-cancelled' | 'settle-rethrown';

/** One event as the ring holds it. */
export interface RingEvent {
  readonly seq: number;
  readonly step: RingStep;
  /** The task's sequence number. */
  readonly task: number;
  /** Monotonic ms. */
  readonly time: number;
  readonly detail: unknown;
  readonly name: string;
  readonly group: TaskGroup;
}

/** A task alive when the recorder was switched on: described then. */
export interface InitialEntry {
  readonly task: RecordedTask;
  readonly state: InitialTask;
}

export interface RingContents {
  readonly reason: Recording['reason'];
  /** Monotonic ms. */
  readonly startedAt: number;
  readonly capacity: number;
  readonly recorded: number;
  readonly events: readonly RingEvent[];
  readonly initial: readonly InitialEntry[];
  /** Only the events after this number were asked for (a reader following the recorder). */
  readonly after: number | undefined;
}

function describeWait(target: unknown): RecordedWait | null {
  const wait = waitTarget(target);
  if (wait === undefined) return null;
  switch (wait.kind) {
    case 'task': {
      const taskIds = Object.freeze(wait.tasks.map((t) => t.id));
      if (wait.below === undefined) return Object.freeze({ kind: 'task', taskIds, exclusive: wait.exclusive });
      return Object.freeze({ kind: 'task', taskIds, exclusive: wait.exclusive, below: Object.freeze({ group: wait.below.group.name, n: wait.below.n }) });
    }
    case 'group':
      return Object.freeze({ kind: 'group', group: wait.group.name });
    case 'sleep':
      return Object.freeze({ kind: 'sleep', ms: wait.ms });
    case 'promise':
      return Object.freeze({ kind: 'promise', label: wait.label });
  }
}

/** What does not change over a task's life, from its name and group (its parent owns the group). */
function entry(seq: number, name: string, group: TaskGroup, createdAt: number, daemon: boolean, attributes: RecordedTask['attributes']): RecordedTask {
  const level = groupInPath(group);
  const own = level === undefined ? name : `${level} › ${name}`;
  const owner = group.owner;
  return Object.freeze({
    id: formatId(seq),
    name,
    path: owner === undefined ? own : `${owner.path} › ${own}`,
    parentId: owner === undefined ? null : owner.id,
    group: group.name,
    namedGroup: level ?? null,
    daemon,
    attributes,
    createdAt: toEpoch(createdAt),
  });
}

function attributesOf(task: Task): RecordedTask['attributes'] {
  const attributes = taskRare(task)?.attributes;
  return attributes === undefined ? null : Object.freeze({ ...attributes });
}

function taskEntry(task: Task): RecordedTask {
  return entry(taskSeq(task), task.name, taskGroup(task), taskCreated(task), task.daemon, attributesOf(task));
}

/** Describes a live task and what it is doing, when the recorder is switched on. */
export function initialOf(task: Task, queued: boolean): InitialEntry {
  const { target, since } = rawWait(task);
  const wait = queued ? null : describeWait(target);
  const cancel = taskCancellation(task);
  return {
    task: taskEntry(task),
    state: Object.freeze({
      id: task.id,
      state: queued ? 'queued' : 'running',
      waitingOn: wait === null ? null : Object.freeze({ ...wait, since: toEpoch(since) }),
      cancelled: cancel === undefined ? null : cancelInfo(cancel, false),
    }),
  };
}

function settleEvent(event: RingEvent, base: { seq: number; at: number; id: string }, origins: OriginCache): RecordedEvent {
  switch (event.step) {
    case 'settle-rejected':
      return { ...base, type: 'settle', outcome: 'rejected', error: describeError(event.detail), cancelled: null };
    case 'settle-cancelled':
      return { ...base, type: 'settle', outcome: 'cancelled', error: null, cancelled: cancelInfo(event.detail as CancelledError, false, origins) };
    case 'settle-rethrown': {
      const info: CancelInfo | null = event.detail instanceof CancelledError ? cancelInfo(event.detail, true, origins) : null;
      return { ...base, type: 'settle', outcome: 'cancelled', error: null, cancelled: info };
    }
    default:
      return { ...base, type: 'settle', outcome: 'fulfilled', error: null, cancelled: null };
  }
}

function eventOf(event: RingEvent, origins: OriginCache): RecordedEvent | null {
  const base = { seq: event.seq, at: toEpoch(event.time), id: formatId(event.task) };
  switch (event.step) {
    case 'spawn':
    case 'spawn-d':
      return { ...base, type: 'spawn', queued: false };
    case 'spawn-q':
    case 'spawn-qd':
      return { ...base, type: 'spawn', queued: true };
    case 'start':
      return { ...base, type: 'start' };
    case 'wait-task':
      return { ...base, type: 'wait', on: Object.freeze({ kind: 'task', taskIds: Object.freeze([formatId(event.detail as number)]), exclusive: true }) };
    case 'wait': {
      const on = describeWait(event.detail);
      return on === null ? null : { ...base, type: 'wait', on };
    }
    case 'resume':
      return { ...base, type: 'resume' };
    case 'cancel':
      return { ...base, type: 'cancel', cancelled: cancelInfo(event.detail as CancelledError, false, origins) };
    case 'settle':
    case 'settle-rejected':
    case 'settle-cancelled':
    case 'settle-rethrown':
      return settleEvent(event, base, origins);
  }
}

/**
 * Every task the events name, each described once: from its spawn event when the ring kept it,
 * else from the task itself while the registry or its history still has it, else from its first
 * event kept (its creation time is then that event's).
 */
function namedTasks(ring: RingContents): RecordedTask[] {
  const known = new Map<number, Task>();
  for (const task of liveTasks()) known.set(taskSeq(task), task);
  for (const task of finishedTasks()) known.set(taskSeq(task), task);
  const tasks = new Map<number, RecordedTask>();
  if (ring.after === undefined && ring.recorded <= ring.capacity) {
    for (const { task } of ring.initial) tasks.set(seqOf(task.id), task);
  }
  for (const event of ring.events) {
    if (tasks.has(event.task)) continue;
    const task = known.get(event.task);
    if (task !== undefined) tasks.set(event.task, taskEntry(task));
    else {
      const spawn = event.step === 'spawn' || event.step === 'spawn-q' || event.step === 'spawn-d' || event.step === 'spawn-qd';
      const daemon = event.step === 'spawn-d' || event.step === 'spawn-qd';
      tasks.set(event.task, entry(event.task, event.name, event.group, event.time, spawn && daemon, null));
    }
  }
  // Tasks alive now that did nothing the ring still holds are part of the picture too.
  if (ring.after === undefined) for (const [seq, task] of known) if (!tasks.has(seq) && task.state !== 'fulfilled' && task.state !== 'rejected' && task.state !== 'cancelled') tasks.set(seq, taskEntry(task));
  return [...tasks.values()].sort((a, b) => a.createdAt - b.createdAt);
}

/** The sequence number in an id (`<prefix>.<seq in base 36>`). */
function seqOf(id: string): number {
  return parseInt(id.slice(id.lastIndexOf('.') + 1), 36);
}

/** The recording of what the ring holds. */
export function buildRecording(ring: RingContents): Recording {
  const origins: OriginCache = new Map();
  const dropped = ring.recorded - Math.min(ring.recorded, ring.capacity);
  const complete = ring.recorded <= ring.capacity;
  const initial: InitialTask[] = ring.after === undefined && complete ? ring.initial.map((i) => i.state) : [];
  const events: RecordedEvent[] = [];
  for (const event of ring.events) {
    const recorded = eventOf(event, origins);
    if (recorded !== null) events.push(Object.freeze(recorded));
  }
  const startedAt = toEpoch(ring.startedAt);
  const first = events[0];
  return Object.freeze({
    recordingVersion: 1,
    pid: process.pid,
    node: process.version,
    startedAt,
    capturedAt: toEpoch(now()),
    completeSince: complete || first === undefined ? startedAt : first.at,
    capacity: ring.capacity,
    recorded: ring.recorded,
    dropped,
    reason: ring.reason,
    tasks: Object.freeze(namedTasks(ring)),
    initial: Object.freeze(initial),
    events: Object.freeze(events),
  });
}
