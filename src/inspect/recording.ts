/**
 * The flight recorder's ring read into a {@link Recording}: each event's task, target or error
 * described now (ids, paths, who cancelled and why), every task named listed once. Pure reading,
 * done only when a recording is asked for.
 */
import type { CancelledError, Task } from '../core/index.js';
import { groupInPath, liveTasks, now, taskCreated, taskExtra, taskGroup, toEpoch, waitTarget, type RecordStep } from '../core/internal.js';
import { cancelInfo, type OriginCache } from './cancel-info.js';
import type { InitialTask, RecordedEvent, RecordedTask, RecordedWait, Recording } from './recording-schema.js';
import { finishedInfo } from './snapshot.js';

/** One event as the ring holds it. */
export interface RingEvent {
  readonly seq: number;
  readonly step: RecordStep;
  readonly task: Task;
  readonly detail: unknown;
  /** Monotonic ms. */
  readonly time: number;
}

/** A task alive when the recorder was switched on, and what it was doing. */
export interface InitialRef {
  readonly task: Task;
  readonly queued: boolean;
  readonly target: unknown;
  /** Monotonic ms. */
  readonly since: number;
  readonly cancel: CancelledError | undefined;
}

export interface RingContents {
  readonly reason: Recording['reason'];
  /** Monotonic ms. */
  readonly startedAt: number;
  readonly capacity: number;
  readonly recorded: number;
  readonly events: readonly RingEvent[];
  readonly initial: readonly InitialRef[];
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

function taskEntry(task: Task): RecordedTask {
  const extra = taskExtra(task);
  const parent = task.parent;
  return Object.freeze({
    id: task.id,
    name: task.name,
    path: task.path,
    parentId: parent === undefined ? null : parent.id,
    group: taskGroup(task).name,
    namedGroup: groupInPath(taskGroup(task)) ?? null,
    daemon: task.daemon,
    attributes: extra?.attributes === undefined ? null : Object.freeze({ ...extra.attributes }),
    createdAt: toEpoch(taskCreated(task)),
  });
}

function eventOf(event: RingEvent, origins: OriginCache): RecordedEvent | null {
  const base = { seq: event.seq, at: toEpoch(event.time), id: event.task.id };
  switch (event.step) {
    case 'spawn':
      return { ...base, type: 'spawn', queued: event.detail === true };
    case 'start':
      return { ...base, type: 'start' };
    case 'wait': {
      const on = describeWait(event.detail);
      return on === null ? null : { ...base, type: 'wait', on };
    }
    case 'resume':
      return { ...base, type: 'resume' };
    case 'cancel':
      return { ...base, type: 'cancel', cancelled: cancelInfo(event.detail as CancelledError, false, origins) };
    case 'settle': {
      const info = finishedInfo(event.task, origins);
      return { ...base, type: 'settle', outcome: info.outcome, error: info.error, cancelled: info.cancelled };
    }
  }
}

/** The recording of what the ring holds. */
export function buildRecording(ring: RingContents): Recording {
  const origins: OriginCache = new Map();
  const dropped = ring.recorded - Math.min(ring.recorded, ring.capacity);
  const complete = ring.recorded <= ring.capacity;
  const named = new Set<Task>();
  const initial: InitialTask[] = [];
  if (ring.after === undefined && complete) {
    for (const ref of ring.initial) {
      named.add(ref.task);
      const wait = describeWait(ref.target);
      initial.push(
        Object.freeze({
          id: ref.task.id,
          state: ref.queued ? 'queued' : 'running',
          waitingOn: wait === null ? null : Object.freeze({ ...wait, since: toEpoch(ref.since) }),
          cancelled: ref.cancel === undefined ? null : cancelInfo(ref.cancel, false, origins),
        }),
      );
    }
  }
  const events: RecordedEvent[] = [];
  for (const event of ring.events) {
    const recorded = eventOf(event, origins);
    if (recorded === null) continue;
    named.add(event.task);
    events.push(Object.freeze(recorded));
  }
  // Tasks alive now that did nothing the ring still holds are part of the picture too.
  if (ring.after === undefined) for (const task of liveTasks()) named.add(task);
  const tasks = [...named].sort((a, b) => taskCreated(a) - taskCreated(b)).map(taskEntry);
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
    tasks: Object.freeze(tasks),
    initial: Object.freeze(initial),
    events: Object.freeze(events),
  });
}
