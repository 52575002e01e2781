// The interface the outer layers (inspect, debug, testing) read the core through. Everything
// here is internal: not exported from the package, and free to change with the core.
import type { CancelledError } from './errors.js';
import { CANCELLED, FULFILLED, QUEUED, W_GROUP, W_PROMISE, W_SLEEP, W_TASK, extraOf, type Task, type TaskExtra } from './task.js';
import type { TaskGroup } from './task-group.js';

export { hooks, runHooks, type RunHookOptions, type RunHookSession } from './hooks.js';
export { liveTasks, finishedTasks, rootGroups } from './registry.js';
export { now, toEpoch } from './time.js';
export { describeError, describeCancelReason } from './errors.js';
export { storage } from './context.js';

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
  switch (task._wk) {
    case W_TASK: {
      const target = task._wt as Task | Task[];
      const tasks = (Array.isArray(target) ? target : [target]).filter((t) => t._state <= 1);
      return tasks.length === 0 ? undefined : { kind: 'task', tasks, since };
    }
    case W_GROUP:
      return { kind: 'group', group: task._wt as TaskGroup, since };
    case W_SLEEP:
      return { kind: 'sleep', ms: task._wt as number, since };
    case W_PROMISE:
      return { kind: 'promise', label: task._wt as string, since };
    default:
      return undefined;
  }
}

/** The tasks `task` currently awaits (a wait on tasks), for awaited-by edges. */
export function awaitedTasks(task: Task): Task[] {
  if (task._wk !== W_TASK) return [];
  const target = task._wt as Task | Task[];
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
  return task._cancel;
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
