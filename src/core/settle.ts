// Settling: the last step of every task, however it ended (its function's outcome, its scopes'
// failures, or a cancellation before it started). Records the outcome in the task, settles the
// awaits on it and its `result()` promise, and tells its group, the history and the listeners.
import type { Deferred } from './deferred.js';
import { CancelledError } from './errors.js';
import { emit, isObserved as importedIsObserved } from './events.js';
import { hooks as importedHooks } from './hooks.js';
import { releaseAwaiters as importedReleaseAwaiters } from './interrupt.js';
import { recordFinished as importedRecordFinished } from './registry.js';
import type { Task } from './task.js';
import { CANCELLED, FULFILLED, STATE, cancelOf as importedCancelOf } from './task-state.js';
import { stamp as importedStamp } from './time.js';
import { traceSettled } from './tracing.js';

// On every task's path: read through module-local constants (see "Hot paths" in index.ts).
const cancelOf = importedCancelOf;
const isObserved = importedIsObserved;
const hooks = importedHooks;
const releaseAwaiters = importedReleaseAwaiters;
const recordFinished = importedRecordFinished;
const stamp = importedStamp;

/** @internal Final: records the outcome, tells the group, history and listeners. */
export function settleTask(task: Task, state: number, result: unknown): void {
  const cancel = cancelOf(task);
  if (state === CANCELLED && result !== cancel) {
    // A cancelled task rejects with its own cancellation (not the AbortError of a web API, nor an
    // inner scope's `parent-cancelled` error that the function let through).
    result = cancel ?? (result instanceof CancelledError ? result : new CancelledError({ kind: 'explicit', reason: result }));
  }
  task._state = (task._state & ~STATE) | state;
  task._slot = result;
  task._ws = stamp();
  task._wt = undefined;
  // In the history at once: code that runs before this function returns — a V8 interrupt (the
  // inspector's `Runtime.evaluate` of `tasktree where`), a hook, a listener — finds the task among
  // the finished ones; `liveTasks()` leaves out a task whose state is settled.
  recordFinished(task);
  if (hooks.record !== undefined) hooks.record('settle', task, undefined);
  const extra = task._extra;
  if (extra !== undefined) {
    if (extra.deferred !== undefined) settleDeferred(task, extra.deferred);
    const awaiters = extra.awaiters;
    if (awaiters !== undefined) {
      extra.awaiters = undefined;
      releaseAwaiters(awaiters, state === FULFILLED, result);
    }
  }
  task._group._childSettled(task);
  if (extra !== undefined && extra.rare !== undefined) traceSettled(task, extra.rare, state, result);
  if (isObserved('settle')) emit('settle', task);
}

/** @internal Settles `d` (a task's `result()` promise) with the settled task's outcome. */
export function settleDeferred(task: Task, d: Deferred<unknown>): void {
  if ((task._state & STATE) === FULFILLED) d.resolve(task._slot);
  else d.reject(task._slot);
}
