import { storage } from './context.js';
import { taskOfScope } from './scope-kind.js';
import type { Task } from './task.js';
import { checkName } from './validate.js';
import { waitOn } from './waits.js';

/**
 * The task whose code is running, or `undefined` outside any task. Correct across awaits and
 * interleaved tasks (it is carried by AsyncLocalStorage).
 *
 * @example
 * ```ts
 * import { run, currentTask } from 'tasktree';
 * await run(async () => console.log(currentTask()?.path)); // 'main'
 * ```
 */
export function currentTask(): Task | undefined {
  return taskOfScope(storage.getStore());
}

/**
 * Awaits `promise`, recording in the current task that it is waiting on `label` and since when,
 * so a dump says `waiting on db.query for 2.3 s`. Outside a task it just returns the promise's
 * outcome. A cancellation point: if the task is cancelled while it waits, this rejects with the
 * `CancelledError` at once (the promise itself goes on: pass `task.signal` to the operation to
 * stop it).
 *
 * @example
 * ```ts
 * import { run, waitFor } from 'tasktree';
 * await run(async () => {
 *   const rows = await waitFor(Promise.resolve([1, 2]), 'db.query users');
 *   console.log(rows.length); // 2
 * });
 * ```
 */
export function waitFor<V>(promise: PromiseLike<V>, label: string): Promise<V> {
  checkName('waitFor(promise, label)', label);
  const task = currentTask();
  if (task === undefined) return Promise.resolve(promise);
  return waitOn(task, promise, label);
}
