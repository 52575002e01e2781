// `await task`: what the `then` accessor of task.ts does. Reading `then` records that the running
// task starts awaiting this one (the awaited-by edge, and since when); calling it tells the engine's
// own call (`await`, `Promise.all`) from user code's, and for the engine's it hands the engine's
// resolving functions to the task, which settles them itself when it settles.
import { storage as importedStorage } from './context.js';
import { hooks as importedHooks } from './hooks.js';
import { addTaskWait as importedAddTaskWait, awaitTask } from './interrupt.js';
import { taskOfScope as importedTaskOfScope } from './scope-kind.js';
import type { Task } from './task.js';
import { FULFILLED, RUNNING, STATE } from './task-state.js';
import { runToken as importedRunToken, stamp as importedStamp } from './time.js';
import { OpenWait, begun as importedBegun, isTaskWait as importedIsTaskWait } from './waits.js';

// On every task's path: read through module-local constants (see "Hot paths" in index.ts).
const taskOfScope = importedTaskOfScope;
const isTaskWait = importedIsTaskWait;
const begun = importedBegun;
const storage = importedStorage;
const hooks = importedHooks;
const addTaskWait = importedAddTaskWait;
const runToken = importedRunToken;
const stamp = importedStamp;

// Who calls `then`? `await task`, `Promise.resolve(task)` and `Promise.all([task])` read it in one
// synchronous run and call it from a later job of the engine's (the spec's
// PromiseResolveThenableJob), passing the resolving functions of the engine's own promise, and
// ignore what it returns. User code (`task.then(onFulfilled)`) reads and calls it in one go, so its
// call follows a read of this task's `then` in the same synchronous run. A call is taken for the
// engine's when the last read was of another task, or of this one in an earlier run (told by
// `runToken`: the read takes a stamp, so the token is valid); anything else takes the general
// path, whose result is a real Promise and whose callbacks run asynchronously in the caller's
// context. (Only code that keeps the `then` function and calls it later, as nothing but the
// engine does, would be mistaken for the engine.)

let lastRead: Task | undefined;
let lastReadRun = -1;

function calledByEngine(task: Task, onfulfilled: unknown, onrejected: unknown): boolean {
  if (typeof onfulfilled !== 'function' || typeof onrejected !== 'function') return false;
  return lastRead !== task || (lastReadRun !== -1 && lastReadRun !== runToken());
}

// Await bookkeeping. `Promise.all([a, b])` reads `a.then` and `b.then` in one synchronous run and
// calls them later; `await a` reads `a.then`, and calls it before the awaiting code can go on. So
// reads by one waiter with no call of `then` in between belong to one wait (on several tasks);
// a read after a call starts a new wait.
//
// Which waits are the waiter's only way forward (what deadlock detection may count on)? The engine
// reads `then` the same way for `await task` and for `Promise.race([task, promise])`, so a wait
// on tasks is taken as exclusive unless tasktree sees otherwise: the waiter began another wait in
// the same synchronous run (`Promise.race([task, sleep(ms)])`: the sleep starts first), called
// `then` itself, or asked for `result()`. Those become an OpenWait.

let batchWaiter: Task | undefined;

/**
 * @internal A read of `target.then` (the accessor calls only this): records that the current task
 * starts awaiting `target`, and the read itself (see `calledByEngine`); returns the `then`
 * function. (Debug mode's await site counts two library frames above its hook: this, the accessor.)
 */
export function noteAwait(target: Task): typeof thenResult {
  const waiter = taskOfScope(storage.getStore());
  if (waiter !== undefined && (waiter._state & STATE) <= RUNNING) {
    const prev = waiter._wt;
    if (waiter === batchWaiter && isTaskWait(prev)) {
      if (Array.isArray(prev)) prev.push(target);
      else if (prev !== target) {
        waiter._wt = [prev, target];
        if (hooks.record !== undefined) hooks.record('wait', waiter, waiter._wt);
      }
    } else if (waiter === begun.task && begun.run === runToken()) {
      addOpenWait(waiter, target);
      batchWaiter = waiter;
    } else {
      waiter._wt = target;
      waiter._ws = stamp();
      batchWaiter = waiter;
      if (hooks.record !== undefined) hooks.record('wait', waiter, target);
    }
    if (hooks.await !== undefined) hooks.await(waiter, target);
  }
  lastRead = target;
  stamp(); // holds a reading, so that the token tells this run from the engine's later job
  lastReadRun = runToken();
  return thenResult;
}

/** Adds `target` to the waiter's open wait of this run, or starts one. */
function addOpenWait(waiter: Task, target: Task): void {
  const prev = waiter._wt;
  const since = stamp();
  const run = runToken();
  if (prev instanceof OpenWait && prev.run === run) {
    if (!prev.tasks.includes(target)) prev.tasks.push(target);
  } else {
    if (waiter === batchWaiter && isTaskWait(prev)) {
      waiter._wt = new OpenWait(Array.isArray(prev) ? [...prev, target] : prev === target ? [prev] : [prev, target], run);
    } else {
      waiter._wt = new OpenWait([target], run);
      waiter._ws = since;
    }
    if (hooks.record !== undefined) hooks.record('wait', waiter, waiter._wt);
  }
  begun.task = waiter;
  begun.run = run;
}

/**
 * @internal `target.result()` was asked for: the current task may be awaiting it, or doing anything
 * else with the promise, so its wait on `target` is open (see above). Returns nothing.
 */
export function noteResult(target: Task): void {
  const waiter = taskOfScope(storage.getStore());
  if (waiter === undefined || (waiter._state & STATE) > RUNNING || (target._state & STATE) > RUNNING) return;
  addOpenWait(waiter, target);
  if (hooks.await !== undefined) hooks.await(waiter, target);
}

/** A call of `then` by user code: the waiter may go on some other way (see above). */
function openUserWait(target: Task): void {
  const waiter = taskOfScope(storage.getStore());
  if (waiter === undefined) return;
  const wait = waiter._wt;
  if (wait === target) waiter._wt = new OpenWait([target], -1);
  else if (Array.isArray(wait) && wait.includes(target)) waiter._wt = new OpenWait(wait, -1);
}

function thenResult<T, R1, R2>(
  this: Task<T>,
  onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
  onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
): Promise<R1 | R2> {
  // `await task` calls this in the awaiting scope's context, after reading `then`: the reads of one
  // batch (`Promise.all`) are over.
  batchWaiter = undefined;
  const byEngine = calledByEngine(this as Task, onfulfilled, onrejected);
  lastRead = undefined;
  if (!byEngine) openUserWait(this as Task);
  // The engine's own call (see above): its resolving functions run no user code, and it ignores
  // what `then` returns. The task settles them itself: no promise of ours, no extra microtask.
  const resolve = onfulfilled as (value: unknown) => void;
  const reject = onrejected as (error: unknown) => void;
  if ((this._state & STATE) > RUNNING) {
    // Already settled: nothing to wait for, so nothing to interrupt.
    if (byEngine) {
      if ((this._state & STATE) === FULFILLED) resolve(this._slot);
      else reject(this._slot);
      return undefined as unknown as Promise<R1 | R2>;
    }
    if (this._extra?.deferred !== undefined) return this.result().then(onfulfilled, onrejected);
    const settled = (this._state & STATE) === FULFILLED ? Promise.resolve(this._slot as T) : Promise.reject(this._slot);
    return settled.then(onfulfilled, onrejected);
  }
  const scope = storage.getStore();
  if (scope === undefined) return this.result().then(onfulfilled, onrejected);
  if (byEngine) {
    addTaskWait(this as Task, scope, resolve, reject);
    return undefined as unknown as Promise<R1 | R2>;
  }
  return (awaitTask(this as Task, scope) as Promise<T>).then(onfulfilled, onrejected);
}
