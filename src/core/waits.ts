// What a task is waiting on, for the inspection tools: `waiting on db.query for 2.3 s`.
//
// The wait is `_wt`, and its type says what kind of wait it is: a Task or a Task[] (`await task`,
// `Promise.all`/`race` over tasks: see awaiting.ts), an OpenWait (tasks awaited in a way that may
// not be the task's only way forward), a BelowWait (a blocked `group.whenBelow(n)`), a TaskGroup
// (being joined), a number (a sleep of that many milliseconds) or a string (the label given to
// `waitFor`); `undefined` when it waits on nothing we know of. `_ws` is the time the wait began.
// No separate kind field: memory per task is a budget.
import { storage } from './context.js';
import { hooks } from './hooks.js';
import { interruptible } from './interrupt.js';
import { TaskClass } from './scope-kind.js';
import type { Task } from './task.js';
import type { TaskGroup } from './task-group.js';
import { RUNNING, STATE } from './task-state.js';
import { runToken, stamp } from './time.js';
import { show } from './validate.js';

/** @internal Whether a wait target is a wait on tasks. */
export function isTaskWait(target: unknown): target is Task | Task[] {
  return target instanceof TaskClass || Array.isArray(target);
}

/**
 * @internal Tasks awaited in a way tasktree cannot tell is the waiter's only way forward: through
 * `task.then(callback)` or `task.result()` (what becomes of the promise is not seen), or in the
 * same synchronous run as another wait of the waiter (`Promise.race([task, sleep(ms)])`). Shown
 * like any wait on tasks, but never taken as a deadlock. `run` is the run token it began in.
 */
export class OpenWait {
  constructor(
    readonly tasks: Task[],
    readonly run: number,
  ) {}
}

/** @internal A `group.whenBelow(n)` that is blocked: any of the group's tasks settling may end it. */
export class BelowWait {
  constructor(
    readonly group: TaskGroup,
    readonly n: number,
  ) {}
}

/**
 * @internal The last task that began a wait, and the run token it began it in: an await of tasks
 * in the same synchronous run is one of several ways forward (see awaiting.ts). An object, so that
 * the hot path reads it through a module-local constant.
 */
export const begun: { task: Task | undefined; run: number } = { task: undefined, run: -1 };

/**
 * @internal Sets a wait on `target` (a TaskGroup, a sleep's milliseconds or a `waitFor` label)
 * and returns a token to clear it with {@link endWait}.
 */
export function beginWait(task: Task, target: TaskGroup | BelowWait | number | string): number {
  task._wt = target;
  const since = (task._ws = stamp());
  begun.task = task;
  begun.run = runToken();
  if (hooks.record !== undefined) hooks.record('wait', task, target);
  return since;
}

/** @internal Clears the wait on `target` begun at `since`, unless a newer wait replaced it. */
export function endWait(task: Task, since: number, target: unknown): void {
  if (task._ws === since && task._wt === target) {
    task._wt = undefined;
    if (hooks.record !== undefined) hooks.record('resume', task, target);
  }
}

/** @internal `task.waitFor(promise, label)`: the wait on `label`, a cancellation point. */
export function waitOn<V>(task: Task, promise: PromiseLike<V>, label: string): Promise<V> {
  if (promise === null || typeof (promise as { then?: unknown }).then !== 'function') {
    throw new TypeError(`waitFor(promise, label): expected promise to be a promise or thenable, got ${show(promise)}`);
  }
  if ((task._state & STATE) > RUNNING) return Promise.resolve(promise);
  const since = beginWait(task, label);
  return interruptible(storage.getStore() ?? task, promise).then(
    (value) => {
      endWait(task, since, label);
      return value;
    },
    (error: unknown) => {
      endWait(task, since, label);
      throw error;
    },
  );
}
