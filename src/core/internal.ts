// The interface the outer layers (inspect, debug, testing) read the core through. Everything
// here is internal: not exported from the package, and free to change with the core.
import { cancelTask } from './cancel.js';
import { CancelledError, requested } from './errors.js';
import type { Task } from './task.js';
import { TaskGroup } from './task-group.js';
import { CANCELLED, FULFILLED, QUEUED, RUNNING, SCOPE_CLOSED, STATE, cancelOf, groupsOf, rareOf, type TaskExtra, type TaskRare } from './task-state.js';
import { BelowWait, OpenWait, isTaskWait } from './waits.js';

export { hooks, runHooks, type RecordStep, type RunHookOptions, type RunHookSession } from './hooks.js';
export { liveTasks, finishedTasks, rootGroups } from './registry.js';
export { now, stamp, toEpoch } from './time.js';
export { describeError, describeCancelReason } from './errors.js';
export { isLibraryFrame, splitStack, userFrames } from './frames.js';
export { formatShort } from './error-text.js';
export { storage } from './context.js';
export { show } from './validate.js';
export type { TaskTracer } from './hooks.js';
export type { CancelRequest } from './cancel-request.js';
export { groupInPath } from './group-state.js';
export { formatId } from './ids.js';

/** The task's state code (0 queued, 1 running, 2 fulfilled, 3 rejected, 4 cancelled). */
export function taskStateCode(task: Task): number {
  return task._state & STATE;
}

/** The task's sequence number (its id is `formatId(seq)`). */
export function taskSeq(task: Task): number {
  return task._seq;
}

/**
 * What a task waits on, read from its wait fields. `since` is monotonic. A wait on tasks is
 * `exclusive` unless tasktree saw that the task may go on another way (see awaiting.ts); `below`
 * is set for a blocked `whenBelow(n)`. A join lists the live tasks it waits for.
 */
export type RawWait =
  | { kind: 'task'; tasks: Task[]; since: number; exclusive: boolean; below?: { group: TaskGroup; n: number } }
  | { kind: 'group'; group: TaskGroup; since: number; tasks: Task[] }
  | { kind: 'sleep'; ms: number; since: number }
  | { kind: 'promise'; label: string; since: number }
  | { kind: 'queue'; group: TaskGroup; since: number };

/** The task's current wait, or undefined. Waits on tasks that have settled since are dropped. */
export function taskWait(task: Task): RawWait | undefined {
  if ((task._state & STATE) === QUEUED) return { kind: 'queue', group: task._group, since: task._created };
  const since = task._ws;
  const target = task._wt;
  if (target === undefined) return undefined;
  if (typeof target === 'number') return { kind: 'sleep', ms: target, since };
  if (typeof target === 'string') return { kind: 'promise', label: target, since };
  if (target instanceof TaskGroup) return { kind: 'group', group: target, since, tasks: joinedTasks(task, target) };
  if (target instanceof BelowWait) {
    const tasks = groupTasks(target.group);
    return { kind: 'task', tasks, since, exclusive: true, below: { group: target.group, n: target.n } };
  }
  const tasks = awaitedTasks(task);
  return tasks.length === 0 ? undefined : { kind: 'task', tasks, since, exclusive: !(target instanceof OpenWait) };
}

/**
 * What a wait target (a task's `_wt`, as `hooks.record` hands it over) is, read now: the tasks of a
 * wait on tasks (settled ones included), the group joined, the sleep, the label.
 */
export type RawTarget =
  | { kind: 'task'; tasks: Task[]; exclusive: boolean; below?: { group: TaskGroup; n: number } }
  | { kind: 'group'; group: TaskGroup }
  | { kind: 'sleep'; ms: number }
  | { kind: 'promise'; label: string };

/** The wait target `target` read now; `undefined` for no wait. */
export function waitTarget(target: unknown): RawTarget | undefined {
  if (target === undefined) return undefined;
  if (typeof target === 'number') return { kind: 'sleep', ms: target };
  if (typeof target === 'string') return { kind: 'promise', label: target };
  if (target instanceof TaskGroup) return { kind: 'group', group: target };
  if (target instanceof BelowWait) return { kind: 'task', tasks: groupTasks(target.group), exclusive: true, below: { group: target.group, n: target.n } };
  if (target instanceof OpenWait) return { kind: 'task', tasks: [...target.tasks], exclusive: false };
  if (isTaskWait(target)) return { kind: 'task', tasks: Array.isArray(target) ? [...target] : [target], exclusive: true };
  return undefined;
}

/** The task's current wait target (`_wt`) and when it began. */
export function rawWait(task: Task): { target: unknown; since: number } {
  return { target: task._wt, since: task._ws };
}

/** Whether the task waits for a concurrency slot. */
export function isQueued(task: Task): boolean {
  return (task._state & STATE) === QUEUED;
}

/** When the task's current wait began (monotonic; meaningful while it has one). */
export function waitStart(task: Task): number {
  return task._ws;
}

const NONE: Task[] = [];

/** The tasks `task` currently awaits (a wait on tasks), for awaited-by edges. */
export function awaitedTasks(task: Task): Task[] {
  const target = task._wt;
  if (target === undefined) return NONE;
  if (target instanceof OpenWait) return target.tasks.filter((t) => (t._state & STATE) <= RUNNING);
  if (target instanceof BelowWait) return groupTasks(target.group);
  if (!isTaskWait(target)) return NONE;
  return (Array.isArray(target) ? target : [target]).filter((t) => (t._state & STATE) <= RUNNING);
}

/** The live tasks of `group`. */
function groupTasks(group: TaskGroup): Task[] {
  const out: Task[] = [];
  for (let t = group._head; t !== undefined; t = t._next) out.push(t);
  return out;
}

/**
 * The live tasks a join waits for: those of the group; for a task whose function has ended, those
 * of every group it owns (it settles once they have all closed).
 */
function joinedTasks(task: Task, group: TaskGroup): Task[] {
  if ((task._state & SCOPE_CLOSED) === 0) return groupTasks(group);
  const out: Task[] = [];
  for (let g = groupsOf(task); g !== undefined; g = g._nextG) out.push(...groupTasks(g));
  return out;
}

export function taskGroup(task: Task): TaskGroup {
  return task._group;
}
export function taskCreated(task: Task): number {
  return task._created;
}
export function taskSettled(task: Task): number {
  return (task._state & STATE) > RUNNING ? task._ws : 0;
}
export function taskCancellation(task: Task): CancelledError | undefined {
  return cancelOf(task);
}
export function taskResult(task: Task): unknown {
  return task._slot;
}
export function taskExtra(task: Task): TaskExtra | undefined {
  return task._extra;
}
/** What the outer layers set on the task (attributes, debug sites, its tracer), if any. */
export function taskRare(task: Task): TaskRare | undefined {
  return task._extra?.rare;
}
/** The same, created on first use: the outer layers write through this. */
export function taskRareOf(task: Task): TaskRare {
  return rareOf(task);
}
export function isFulfilled(task: Task): boolean {
  return (task._state & STATE) === FULFILLED;
}
export function isCancelled(task: Task): boolean {
  return (task._state & STATE) === CANCELLED;
}

/**
 * Where a live task is in its life, for the stacks probe: `queued` (waiting for a concurrency slot),
 * `starting` (its function has not been called yet), `running` (its function is pending) or
 * `joining` (its function has returned; it waits for its children).
 */
export function taskPhase(task: Task): 'queued' | 'starting' | 'running' | 'joining' {
  if ((task._state & STATE) === QUEUED) return 'queued';
  if ((task._state & SCOPE_CLOSED) !== 0) return 'joining';
  return typeof task._slot === 'function' ? 'starting' : 'running';
}

/** The promise a running task's function returned (what the stacks probe starts from), if any. */
export function taskPromise(task: Task): Promise<unknown> | undefined {
  return taskPhase(task) === 'running' && task._slot instanceof Promise ? task._slot : undefined;
}

/**
 * Cancels `task` (as `task.cancel(reason)` does) on behalf of an outside requester — `tasktree
 * cancel` (`cli`) or `tasktree ui` (`ui`) — recording it as the one who asked, with the reason it
 * gave (`given`). Does nothing once the task has settled or was cancelled already.
 */
export function cancelOnBehalf(task: Task, via: 'cli' | 'ui', given: string | undefined, reason: unknown): void {
  if ((task._state & STATE) > RUNNING || cancelOf(task) !== undefined) return;
  cancelTask(task, requested(new CancelledError({ kind: 'explicit', reason }), { via, given }));
}
