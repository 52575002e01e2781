import type { CancelledError } from './errors.js';
import { groupExtraOf } from './group-state.js';
import { hooks as importedHooks } from './hooks.js';
import { TaskClass } from './scope-kind.js';
import type { Task } from './task.js';
import type { TaskGroup } from './task-group.js';
import { extraOf as importedExtraOf } from './task-state.js';

// On every task's path: read through module-local constants (see "Hot paths" in index.ts).
const hooks = importedHooks;
const extraOf = importedExtraOf;

// Awaiting a task, `waitFor(promise)` and `group.whenBelow(n)` are cancellation points: when the
// waiting scope (a task, or a `TaskGroup.run` body) is cancelled while it waits, the await throws
// the CancelledError at once, as in asyncio. The awaited task or promise goes on; only the wait ends.
// Edge-triggered: awaits started after the cancellation proceed normally, so cleanup code can
// still await things.
//
// A scope keeps its pending waits in one slot (`_waits`, in a task's `_extra` or a group's `_x`: a
// Wait, or an array of them while it awaits several things at once): no WeakMap, no Set, nothing
// allocated for scopes that never wait.

/**
 * One pending wait of a scope: settles the promise the awaiting code is suspended on (ours, or the
 * engine's own for `await task`).
 */
export interface Wait {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  /** The waiting scope (so the awaited task can forget the wait there when it settles). */
  readonly scope: Task | TaskGroup;
}

/** Where a scope keeps its waits: a Task in its `_extra`, a TaskGroup in its `_x`. */
interface Slot {
  _waits?: Wait | Wait[] | undefined;
}

function slotOf(scope: Task | TaskGroup): Slot {
  return scope instanceof TaskClass ? extraOf(scope) : groupExtraOf(scope);
}

/** `waits` with `wait` added: the wait itself while it is the only one, an array once there are more. */
function added(waits: Wait | Wait[] | undefined, wait: Wait): Wait | Wait[] {
  if (waits === undefined) return wait;
  if (!Array.isArray(waits)) return [waits, wait];
  waits.push(wait);
  return waits;
}

/** Registers a pending wait of `scope`. */
function addWait(scope: Task | TaskGroup, wait: Wait): void {
  const slot = slotOf(scope);
  slot._waits = added(slot._waits, wait);
}

/** Forgets a wait that ended. */
function removeWait(scope: Task | TaskGroup, wait: Wait): void {
  const slot = slotOf(scope);
  const waits = slot._waits;
  if (waits === wait) slot._waits = undefined;
  else if (Array.isArray(waits)) {
    const i = waits.indexOf(wait);
    if (i >= 0) waits.splice(i, 1);
    if (waits.length === 0) slot._waits = undefined;
  }
}

/** @internal Ends every pending wait of `scope` with `error`. */
export function interrupt(scope: Task | TaskGroup, error: CancelledError): void {
  const slot: Slot | undefined = scope instanceof TaskClass ? scope._extra : scope._x;
  const waits = slot?._waits;
  if (slot === undefined || waits === undefined) return;
  slot._waits = undefined;
  if (hooks.record !== undefined && scope instanceof TaskClass) hooks.record('resume', scope, scope._wt);
  if (Array.isArray(waits)) for (const wait of waits) wait.reject(error);
  else waits.reject(error);
}

/** @internal Settles like `promise`, or rejects with the scope's cancellation if that comes first. */
export function interruptible<V>(scope: Task | TaskGroup, promise: PromiseLike<V>): Promise<V> {
  return new Promise<V>((resolve, reject) => {
    const wait: Wait = { resolve: resolve as (value: unknown) => void, reject, scope };
    addWait(scope, wait);
    promise.then(
      (value) => {
        removeWait(scope, wait);
        resolve(value);
      },
      (error: unknown) => {
        removeWait(scope, wait);
        reject(error);
      },
    );
  });
}

/**
 * @internal Awaiting a pending task from inside a scope: one promise, settled by the task when it
 * settles, or by the scope's cancellation — whichever comes first.
 */
export function awaitTask(target: Task, scope: Task | TaskGroup): Promise<unknown> {
  return new Promise((resolve, reject) => addTaskWait(target, scope, resolve, reject));
}

/**
 * @internal Registers a wait of `scope` on the pending task `target`: `resolve` or `reject` is
 * called (synchronously) when the task settles, or `reject` with the scope's cancellation if that
 * comes first. Only for functions that are safe to call from inside the core (a promise's own
 * resolving functions): they run no user code.
 */
export function addTaskWait(
  target: Task,
  scope: Task | TaskGroup,
  resolve: (value: unknown) => void,
  reject: (error: unknown) => void,
): void {
  const wait: Wait = { resolve, reject, scope };
  const extra = extraOf(target);
  extra.awaiters = added(extra.awaiters, wait);
  addWait(scope, wait);
}

/** @internal The task settled: settle the waits of the scopes awaiting it. */
export function releaseAwaiters(awaiters: Wait | Wait[], fulfilled: boolean, result: unknown): void {
  if (!Array.isArray(awaiters)) release(awaiters, fulfilled, result);
  else for (const wait of awaiters) release(wait, fulfilled, result);
}

function release(wait: Wait, fulfilled: boolean, result: unknown): void {
  const scope = wait.scope;
  removeWait(scope, wait);
  // The waiter resumes once nothing it awaits is pending any more.
  if (hooks.record !== undefined && scope instanceof TaskClass && scope._extra?._waits === undefined) hooks.record('resume', scope, scope._wt);
  if (fulfilled) wait.resolve(result);
  else wait.reject(result);
}
