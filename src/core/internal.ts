// The interface the outer layers (inspect, debug, testing) read the core through. Everything
// here is internal: not exported from the package, and free to change with the core.
import type { CancelledError } from './errors.js';
import type { Task } from './task.js';
import { TaskGroup } from './task-group.js';
import { CANCELLED, FULFILLED, QUEUED, SCOPE_CLOSED, cancelOf, extraOf, type TaskExtra } from './task-state.js';
import { isTaskWait } from './waits.js';

export { hooks, runHooks, type RunHookOptions, type RunHookSession } from './hooks.js';
export { liveTasks, finishedTasks, rootGroups } from './registry.js';
export { now, toEpoch } from './time.js';
export { describeError, describeCancelReason } from './errors.js';
export { isLibraryFrame, splitStack, userFrames } from './frames.js';
export { formatShort } from './error-text.js';
export { storage } from './context.js';
export { groupInPath } from './group-state.js';

/** What a task waits on, read from its wait fields. `since` is monotonic. */
export type RawWait =
  | { kind: 'task'; tasks: Task[]; since: number }
  | { kind: 'group'; group: TaskGroup; since: number }
  | { kind: 'sleep'; ms: number; since: number }
  | { kind: 'promise'; label: string; since: number }
  | { kind: 'queue'; group: TaskGroup; since: number };

/** The task's current wait, or undefined. Waits on tasks that have settled since are dropped. */
export function taskWait(task: Task): RawWait | undefined {
  if (task._state === QUEUED) return { kind: 'queue', group: task._group, since: task._created };
  const since = task._ws;
  const target = task._wt;
  if (target === undefined) return undefined;
  if (typeof target === 'number') return { kind: 'sleep', ms: target, since };
  if (typeof target === 'string') return { kind: 'promise', label: target, since };
  if (target instanceof TaskGroup) return { kind: 'group', group: target, since };
  const tasks = awaitedTasks(task);
  return tasks.length === 0 ? undefined : { kind: 'task', tasks, since };
}

/** The tasks `task` currently awaits (a wait on tasks), for awaited-by edges. */
export function awaitedTasks(task: Task): Task[] {
  const target = task._wt;
  if (!isTaskWait(target)) return [];
  return (Array.isArray(target) ? target : [target]).filter((t) => t._state <= 1);
}

export function taskGroup(task: Task): TaskGroup {
  return task._group;
}
export function taskCreated(task: Task): number {
  return task._created;
}
export function taskSettled(task: Task): number {
  return task._state > 1 ? task._ws : 0;
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
/** The task's extra data, created on first use. */
export function taskExtraOf(task: Task): TaskExtra {
  return extraOf(task);
}
export function isFulfilled(task: Task): boolean {
  return task._state === FULFILLED;
}
export function isCancelled(task: Task): boolean {
  return task._state === CANCELLED;
}

/**
 * Where a live task is in its life, for the stacks probe: `queued` (waiting for a concurrency slot),
 * `starting` (its function has not been called yet), `running` (its function is pending) or
 * `joining` (its function has returned; it waits for its children).
 */
export function taskPhase(task: Task): 'queued' | 'starting' | 'running' | 'joining' {
  if (task._state === QUEUED) return 'queued';
  if ((task._flags & SCOPE_CLOSED) !== 0) return 'joining';
  return typeof task._slot === 'function' ? 'starting' : 'running';
}

/** The promise a running task's function returned (what the stacks probe starts from), if any. */
export function taskPromise(task: Task): Promise<unknown> | undefined {
  return taskPhase(task) === 'running' && task._slot instanceof Promise ? task._slot : undefined;
}
