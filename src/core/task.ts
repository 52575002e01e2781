import { AsyncResource } from 'node:async_hooks';
import { storage } from './context.js';
import { deferred, type Deferred } from './deferred.js';
import { CancelledError, ScopeClosedError, TaskGroupError, isCancellation, type TaskFailure } from './errors.js';
import { emit, isObserved } from './events.js';
import { hooks } from './hooks.js';
import { addTaskWait, awaitTask, interruptible, releaseAwaiters, type Wait } from './interrupt.js';
import { formatId } from './ids.js';
import { recordFinished } from './registry.js';
import { cancelScopeTree, cancelTask, TaskGroup } from './task-group.js';
import { closeRun, now, openRun, runToken, stamp, toEpoch } from './time.js';
import { checkName, show } from './validate.js';

/** A task's lifecycle state. `queued` waits for a `concurrency` slot; the last three are final. */
export type TaskState = 'queued' | 'running' | 'fulfilled' | 'rejected' | 'cancelled';

/** The function a task runs. It receives its own task (for `task.signal`, `task.name`, …). */
export type TaskFunction<T> = (task: Task) => T | PromiseLike<T>;

/** Per-task options of `spawn()`. */
export interface SpawnOptions {
  /**
   * A daemon task does not keep its scope open: once every non-daemon task and the body of its
   * scope are done, daemons are cancelled (reason `scope-done`). Default `false`.
   */
  readonly daemon?: boolean;
  /** Free-form labels shown by the inspection tools (e.g. `{ route: '/users', requestId: 42 }`). */
  readonly attributes?: Readonly<Record<string, string | number | boolean>>;
}

// Internal state codes, in lifecycle order: everything above RUNNING is settled.
export const QUEUED = 0;
export const RUNNING = 1;
export const FULFILLED = 2;
export const REJECTED = 3;
export const CANCELLED = 4;
const STATE_NAMES: readonly TaskState[] = ['queued', 'running', 'fulfilled', 'rejected', 'cancelled'];

// Flags.
export const DAEMON = 1;
/** The task holds one of its group's concurrency slots. */
export const SLOT = 2;
/** The task's function has ended: its scopes are closing, nothing more can be spawned into it. */
export const SCOPE_CLOSED = 4;

// What a task is waiting on is `_wt`, and its type says what kind of wait it is: a Task or a
// Task[] (`await task`, `Promise.all`/`race` over tasks), a TaskGroup (being joined), a number
// (a sleep of that many milliseconds) or a string (the label given to `waitFor`); `undefined`
// when it waits on nothing we know of. `_ws` is the time the wait began. No separate kind field:
// memory per task is a budget.

/** @internal Whether a wait target is a wait on tasks. */
export function isTaskWait(target: unknown): target is Task | Task[] {
  return target instanceof Task || Array.isArray(target);
}

/**
 * A named unit of concurrent work in a scope. Created by `spawn()` / `group.spawn()`, never
 * with `new`. Awaitable (`await task` gives its value or throws its error), but not a Promise:
 * awaiting it records who waits on it, which the inspection tools show.
 *
 * @example
 * ```ts
 * import { run, spawn, sleep } from 'tasktree';
 * await run(async () => {
 *   const user = spawn('fetch-user', async (task) => {
 *     await sleep(10, { signal: task.signal }); // or fetch(url, { signal: task.signal })
 *     return { name: 'ada' };
 *   });
 *   console.log(user.path, await user); // 'main › fetch-user' { name: 'ada' }
 * });
 * ```
 */
export class Task<T = unknown> implements PromiseLike<T> {
  /** The name given at spawn, else the function's name, else `Task-N`. */
  readonly name: string;

  /** @internal Process-wide sequence number; the id is derived from it. */
  _seq: number;
  /** @internal The group the task was spawned into. */
  _group: TaskGroup;
  /** @internal QUEUED … CANCELLED. */
  _state: number;
  /** @internal DAEMON | SLOT. */
  _flags: number;
  /**
   * @internal The function until the task starts, then nothing, then the value or the thrown
   * error once it settles (one field: a pending task is the common case, and memory per task
   * is a budget).
   */
  _slot: unknown;
  /** @internal Monotonic creation time. */
  _created: number;
  /** @internal Neighbours in the group's list of live tasks. */
  _prev: Task | undefined;
  /** @internal */
  _next: Task | undefined;
  /** @internal Wait target (see above) and start time; once settled, `_ws` is the settle time. */
  _wt: unknown;
  /** @internal */
  _ws: number;
  /**
   * @internal What most tasks never need: the cancellation, the AbortController, the result
   * promise, attributes, debug sites.
   */
  _extra: TaskExtra | undefined;

  /** @internal Use `spawn()` or `group.spawn()`. */
  constructor(name: string, group: TaskGroup, fn: TaskFunction<T>, flags: number, seq: number) {
    this.name = name;
    this._seq = seq;
    this._group = group;
    this._state = RUNNING;
    this._flags = flags;
    this._slot = fn;
    this._created = stamp();
    this._prev = undefined;
    this._next = undefined;
    this._wt = undefined;
    this._ws = 0;
    this._extra = undefined;
  }

  /** The task that owns the group this task was spawned into; `undefined` for a root task. */
  get parent(): Task | undefined {
    return this._group.owner;
  }

  /** Unique in the process and across processes: `<per-process nanoid>.<counter>`. */
  get id(): string {
    return formatId(this._seq);
  }

  /** The names of the task's ancestors and its own, joined with ` › `: `main › request#42 › fetch-user`. */
  get path(): string {
    let path = this.name;
    for (let t = this.parent; t !== undefined; t = t.parent) path = `${t.name} › ${path}`;
    return path;
  }

  /** `queued`, `running`, `fulfilled`, `rejected` or `cancelled`. */
  get state(): TaskState {
    return STATE_NAMES[this._state] as TaskState;
  }

  /** Whether the task is a daemon (see {@link SpawnOptions.daemon}). */
  get daemon(): boolean {
    return (this._flags & DAEMON) !== 0;
  }

  /**
   * Aborted when the task is cancelled, with a {@link CancelledError} as `reason`. Pass it to
   * anything that accepts an AbortSignal (`fetch`, `setTimeout` from `node:timers/promises`, …).
   */
  get signal(): AbortSignal {
    const extra = extraOf(this as Task);
    let ac = extra.ac;
    if (ac === undefined) {
      ac = extra.ac = new AbortController();
      if (extra.cancel !== undefined) ac.abort(extra.cancel);
    }
    return ac.signal;
  }

  /** The cancellation, once requested (the task may still be running: cancellation is cooperative). */
  get cancellation(): CancelledError | undefined {
    return cancelOf(this as Task);
  }

  /**
   * Requests cancellation: aborts the task's `signal` and cancels everything in its scopes. A task
   * that has not started yet never runs. Does nothing once the task has settled, or when it was
   * already cancelled (the first reason wins).
   */
  cancel(reason?: unknown): void {
    if (this._state > RUNNING || cancelOf(this as Task) !== undefined) return;
    cancelTask(this, new CancelledError(reason === undefined ? { kind: 'explicit' } : { kind: 'explicit', reason }));
  }

  /** The live tasks spawned in this task's scopes (a fresh array). */
  get children(): Task[] {
    const out: Task[] = [];
    for (let g = groupsOf(this as Task); g !== undefined; g = g._nextG) {
      for (let t = g._head; t !== undefined; t = t._next) out.push(t);
    }
    return out;
  }

  /** When the task was spawned, in epoch milliseconds. */
  get createdAt(): number {
    return toEpoch(this._created);
  }

  /** When the task settled, in epoch milliseconds; `undefined` while it is live. */
  get settledAt(): number | undefined {
    return this._state > RUNNING ? toEpoch(this._ws) : undefined;
  }

  /** The task's outcome as a real Promise (the same one on every call). */
  result(): Promise<T> {
    const extra = extraOf(this as Task);
    let d = extra.deferred;
    if (d === undefined) {
      d = extra.deferred = deferred<unknown>();
      if (this._state > RUNNING) settleDeferred(this, d);
    }
    return d.promise as Promise<T>;
  }

  /**
   * An accessor, so that `await task` is noticed at the moment it happens, in the awaiting task:
   * the inspection tools show the awaited-by edge and since when. Awaiting a task is a
   * cancellation point: if the awaiting task (or group body) is cancelled while it waits, the
   * await throws the `CancelledError` at once; the awaited task goes on in its own scope.
   *
   * `task.then(onFulfilled, onRejected)` returns a real Promise, as usual. Call the function in
   * the run you read it in: one kept and called later is taken for the engine's own call (that
   * of `await`), whose callbacks the task calls when it settles, returning `undefined`.
   */
  get then(): <R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ) => Promise<R1 | R2> {
    noteAwait(this as Task);
    lastRead = this as Task;
    stamp(); // holds a reading, so that the token tells this run from the engine's later job
    lastReadRun = runToken();
    return thenResult;
  }

  /**
   * Records that this task is waiting on `promise`, labelled `label`, until it settles; returns
   * the promise's outcome. A dump then shows `waiting on db.query for 2.3 s`. A cancellation
   * point, like awaiting a task (the promise itself is not stopped: pass `task.signal` to the
   * operation for that).
   */
  waitFor<V>(promise: PromiseLike<V>, label: string): Promise<V> {
    return waitOn(this as Task, promise, checkName('task.waitFor(promise, label)', label));
  }

  /** `Task 'fetch-user' (id) running for 1.2 s` */
  toString(): string {
    const age = ((this._state > RUNNING ? this._ws : now()) - this._created) / 1000;
    const verb = this._state > RUNNING ? 'after' : 'for';
    return `Task '${this.name}' (${this.id}) ${this.state} ${verb} ${age.toFixed(age < 10 ? 2 : 1)} s`;
  }

  /** @internal */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `<${this.toString()}>`;
  }
}

/**
 * @internal What most tasks never need, created on first use. A class, so that every task's extra
 * data has one shape (the fields are read on hot paths: settle, cancel, await).
 */
export class TaskExtra {
  /** Set once cancellation is requested. */
  cancel: CancelledError | undefined = undefined;
  /** A queued task's async context (where it was spawned), until it gets a concurrency slot. */
  context: AsyncResource | undefined = undefined;
  /** Head of the list of open groups the task owns (its own scope and explicit groups). */
  groups: TaskGroup | undefined = undefined;
  /** Created on the first read of `task.signal`. */
  ac: AbortController | undefined = undefined;
  /** Backs `result()`, created on first use. */
  deferred: Deferred<unknown> | undefined = undefined;
  /** The waits of scopes awaiting this task (one, or an array: see interrupt.ts). */
  awaiters: Wait | Wait[] | undefined = undefined;
  /** This task's own pending interruptible waits. */
  _waits: Wait | Wait[] | undefined = undefined;
  attributes: Readonly<Record<string, string | number | boolean>> | undefined = undefined;
  /** Debug mode: the creation site (an object holding an unformatted stack). */
  createdSite: { stack?: string } | undefined = undefined;
  /** Debug mode: where the task last awaited another task. */
  awaitSite: { stack?: string } | undefined = undefined;
}

/** @internal The task's extra data, created on first use. */
export function extraOf(task: Task): TaskExtra {
  return (task._extra ??= new TaskExtra());
}

/** @internal The first of the open groups the task owns (linked through `_nextG`), if any. */
export function groupsOf(task: Task): TaskGroup | undefined {
  const extra = task._extra;
  return extra === undefined ? undefined : extra.groups;
}

/** @internal The task's cancellation, once requested. */
export function cancelOf(task: Task): CancelledError | undefined {
  const extra = task._extra;
  return extra === undefined ? undefined : extra.cancel;
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
  // The engine's own call (see below): its resolving functions run no user code, and it ignores
  // what `then` returns. The task settles them itself: no promise of ours, no extra microtask.
  const resolve = onfulfilled as (value: unknown) => void;
  const reject = onrejected as (error: unknown) => void;
  if (this._state > RUNNING) {
    // Already settled: nothing to wait for, so nothing to interrupt.
    if (byEngine) {
      if (this._state === FULFILLED) resolve(this._slot);
      else reject(this._slot);
      return undefined as unknown as Promise<R1 | R2>;
    }
    if (this._extra?.deferred !== undefined) return this.result().then(onfulfilled, onrejected);
    const settled = this._state === FULFILLED ? Promise.resolve(this._slot as T) : Promise.reject(this._slot);
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

// ---------------------------------------------------------------------------------------------
// Await bookkeeping. `Promise.all([a, b])` reads `a.then` and `b.then` in one synchronous run and
// calls them later; `await a` reads `a.then`, and calls it before the awaiting code can go on. So
// reads by one waiter with no call of `then` in between belong to one wait (on several tasks);
// a read after a call starts a new wait.

let batchWaiter: Task | undefined;

/** @internal The innermost task of the running code. */
export function taskOfScope(scope: Task | TaskGroup | undefined): Task | undefined {
  return scope === undefined ? undefined : scope instanceof Task ? scope : scope.owner;
}

/** @internal Records that the current task starts awaiting `target`. */
export function noteAwait(target: Task): void {
  const waiter = taskOfScope(storage.getStore());
  if (waiter === undefined || waiter._state > RUNNING) return;
  const prev = waiter._wt;
  if (waiter === batchWaiter && isTaskWait(prev)) {
    if (Array.isArray(prev)) prev.push(target);
    else if (prev !== target) waiter._wt = [prev, target];
  } else {
    waiter._wt = target;
    waiter._ws = stamp();
    batchWaiter = waiter;
  }
  if (hooks.await !== undefined) hooks.await(waiter, target);
}

/**
 * @internal Sets a wait on `target` (a TaskGroup, a sleep's milliseconds or a `waitFor` label)
 * and returns a token to clear it with {@link endWait}.
 */
export function beginWait(task: Task, target: TaskGroup | number | string): number {
  task._wt = target;
  return (task._ws = stamp());
}

/** @internal Clears the wait on `target` begun at `since`, unless a newer wait replaced it. */
export function endWait(task: Task, since: number, target: unknown): void {
  if (task._ws === since && task._wt === target) {
    task._wt = undefined;
  }
}

/** @internal */
export function waitOn<V>(task: Task, promise: PromiseLike<V>, label: string): Promise<V> {
  if (promise === null || typeof (promise as { then?: unknown }).then !== 'function') {
    throw new TypeError(`waitFor(promise, label): expected promise to be a promise or thenable, got ${show(promise)}`);
  }
  if (task._state > RUNNING) return Promise.resolve(promise);
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

// ---------------------------------------------------------------------------------------------
// Starting. Tasks start from a queue drained in a microtask, never by synchronous recursion: a
// chain of 100,000 tasks each spawning the next uses constant stack, and tasks spawned while
// draining start in the same loop. Each task runs in the async context it was spawned in (its
// spawner's AsyncLocalStorage values, tasktree's and every other library's — a request id, a
// tracing span) with the task as tasktree's store, as a native promise callback would: spawning
// captures that context in an AsyncResource (a pointer to the context frame on Node 24; a copy of
// the stores on Node 20), and the start enters it.

const resolved = Promise.resolve();
/** Task, context, task, context, … from `runHead` on. */
let runQueue: (Task | AsyncResource)[] = [];
let runHead = 0;
let drainScheduled = false;

/** @internal The caller's async context, for a task spawned here that starts later. */
export function captureContext(): AsyncResource {
  return new AsyncResource('tasktree.Task');
}

/** @internal Starts `task` soon (in a microtask), in `context` (see {@link captureContext}). */
export function scheduleStart(task: Task, context: AsyncResource): void {
  runQueue.push(task, context);
  if (!drainScheduled) {
    drainScheduled = true;
    // Not queueMicrotask: Node wraps each of its callbacks in an AsyncResource.
    void resolved.then(drainRunQueue);
  }
}

function drainRunQueue(): void {
  openRun();
  try {
    while (runHead < runQueue.length) {
      const task = runQueue[runHead] as Task;
      const context = runQueue[runHead + 1] as AsyncResource;
      runQueue[runHead] = runQueue[runHead + 1] = undefined as unknown as Task;
      runHead += 2;
      context.runInAsyncScope(startTask, undefined, task);
    }
    runQueue = [];
    runHead = 0;
    drainScheduled = false;
  } finally {
    closeRun();
  }
}

function startTask(task: Task): void {
  if (task._state !== RUNNING) return;
  const cancel = cancelOf(task);
  if (cancel !== undefined) {
    // Cancelled before it started: its function never runs.
    settleTask(task, CANCELLED, cancel);
    return;
  }
  if (isObserved('start')) emit('start', task);
  // Inside runInAsyncScope, which restores the drain's context afterwards: one context frame per
  // task on Node 24, where run() would make a second one to restore.
  storage.enterWith(task);
  runFunction(task);
}

// Runs inside the task's context. The completion handlers are shared functions, not closures:
// a promise reaction runs in the context its `then` was called in, so they find their task with
// `getStore()`. That saves two closures and their context per task.
function runFunction(task: Task): void {
  const fn = task._slot as TaskFunction<unknown>;
  task._slot = undefined;
  let result: unknown;
  try {
    result = fn(task);
  } catch (error) {
    bodyEnded(task, false, error);
    return;
  }
  if (result instanceof Promise) {
    // Kept while the function runs (the slot is free then): where the stacks probe starts.
    task._slot = result;
    result.then(onFulfilled, onRejected);
  } else if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
    const promise = Promise.resolve(result);
    task._slot = promise;
    promise.then(onFulfilled, onRejected);
  } else bodyEnded(task, true, result);
}

function onFulfilled(value: unknown): void {
  bodyEnded(storage.getStore() as Task, true, value);
}

function onRejected(error: unknown): void {
  bodyEnded(storage.getStore() as Task, false, error);
}

// ---------------------------------------------------------------------------------------------
// Ending. A task settles when its function has returned and every group it owns has closed.

function bodyEnded(task: Task, ok: boolean, value: unknown): void {
  task._flags |= SCOPE_CLOSED;
  const first = groupsOf(task);
  if (first === undefined) {
    settleTask(task, ok ? FULFILLED : isCancellation(value, cancelOf(task)) ? CANCELLED : REJECTED, value);
    return;
  }
  if (ok && first._nextG === undefined && first._count === 0 && first._failures === undefined) {
    // The common end: the function returned and its own scope is already empty.
    first._close();
    settleTask(task, FULFILLED, value);
    return;
  }
  closeScopes(task, first, ok, value);
}

function closeScopes(task: Task, first: TaskGroup, ok: boolean, value: unknown): void {
  const failed = !ok && !isCancellation(value, cancelOf(task));
  if (failed) cancelScopeTree(task, new CancelledError({ kind: 'body-failed', group: task.name, error: value }));
  // Every group the task owns closes with it: its own scope, and explicit groups the function
  // left open. Most often they are already empty, and the task settles right here.
  const groups: TaskGroup[] = [first];
  for (let g = first._nextG; g !== undefined; g = g._nextG) groups.push(g);
  let joins: Promise<void>[] | undefined;
  for (const group of groups) {
    const join = group._close();
    if (join !== undefined) (joins ??= []).push(join);
  }
  if (joins === undefined) {
    finishScopes(task, ok, value, failed, groups);
    return;
  }
  const joined = groups.find((g) => g._implicit) ?? (groups[0] as TaskGroup);
  const since = beginWait(task, joined);
  void Promise.all(joins).then(() => {
    endWait(task, since, joined);
    finishScopes(task, ok, value, failed, groups);
  });
}

/** Settles a task whose scopes have all closed: its own outcome, or the failures in its scopes. */
function finishScopes(task: Task, ok: boolean, value: unknown, failed: boolean, groups: TaskGroup[]): void {
  let failures: TaskFailure[] | undefined;
  for (const group of groups) {
    if (group._failures === undefined) continue;
    // The task's own scope reports its tasks' failures; an explicit group left open, its whole failure.
    if (group._implicit) (failures ??= []).unshift(...group._failures);
    else (failures ??= []).push({ source: 'body', task: undefined, error: new TaskGroupError(group.name, group._failures) });
  }
  if (failures !== undefined) {
    if (failed && !failures.some((f) => f.error === value)) failures.push({ source: 'body', task: undefined, error: value });
    settleTask(task, REJECTED, new TaskGroupError(task.name, failures));
  } else {
    settleTask(task, ok ? FULFILLED : failed ? REJECTED : CANCELLED, value);
  }
}

/** @internal Final: records the outcome, tells the group, history and listeners. */
export function settleTask(task: Task, state: number, result: unknown): void {
  const cancel = cancelOf(task);
  if (state === CANCELLED && result !== cancel) {
    // A cancelled task rejects with its own cancellation (not the AbortError of a web API, nor an
    // inner scope's `parent-cancelled` error that the function let through).
    result = cancel ?? (result instanceof CancelledError ? result : new CancelledError({ kind: 'explicit', reason: result }));
  }
  task._state = state;
  task._slot = result;
  task._ws = stamp();
  task._wt = undefined;
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
  recordFinished(task);
  if (isObserved('settle')) emit('settle', task);
}

function settleDeferred(task: Task, d: Deferred<unknown>): void {
  if (task._state === FULFILLED) d.resolve(task._slot);
  else d.reject(task._slot);
}

/** @internal The task's own scope (where `spawn()` inside it goes), created on first use. */
export function ownScope(task: Task, api: string): TaskGroup {
  for (let g = groupsOf(task); g !== undefined; g = g._nextG) if (g._implicit) return g;
  if ((task._flags & SCOPE_CLOSED) !== 0) throw new ScopeClosedError(task.name, api);
  return TaskGroup._implicitFor(task);
}
