// The Task class: a task's public API (name, id, path, state, signal, cancel, result, `await`,
// waitFor) and its fields. The engine behind it: start-queue.ts starts it, task-end.ts and
// settle.ts end it, awaiting.ts does `await task`, waits.ts records its waits, cancel.ts cancels
// it; its state codes, flags and extra state are in task-state.ts.
import { noteAwait as importedNoteAwait, noteResult } from './awaiting.js';
import { cancelTask } from './cancel.js';
import { callerRequest } from './cancel-request.js';
import { deferred } from './deferred.js';
import { CancelledError, requested } from './errors.js';
import { formatId } from './ids.js';
import { registerTaskClass } from './scope-kind.js';
import { settleDeferred } from './settle.js';
import { groupInPath } from './group-state.js';
import type { TaskGroup } from './task-group.js';
import { DAEMON, RUNNING, STATE, STATE_NAMES, cancelOf, extraOf, groupsOf, type TaskExtra } from './task-state.js';
import { now, stamp as importedStamp, toEpoch } from './time.js';
import { checkName } from './validate.js';
import { waitOn } from './waits.js';

// On every task's path: read through module-local constants (see "Hot paths" in index.ts).
const noteAwait = importedNoteAwait;
const stamp = importedStamp;

/** The function a task runs. It receives its own task (for `task.signal`, `task.name`, …). */
export type TaskFunction<T> = (task: Task) => T | PromiseLike<T>;

/** A task's lifecycle state. `queued` waits for a `concurrency` slot; the last three are final. */
export type TaskState = 'queued' | 'running' | 'fulfilled' | 'rejected' | 'cancelled';

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
  /**
   * @internal The lifecycle code (QUEUED … CANCELLED) in the bits of STATE, and the flags
   * (DAEMON, SLOT, SCOPE_CLOSED) above them: one field, as memory per task is a budget.
   */
  _state: number;
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
  /** @internal Wait target (see waits.ts) and start time; once settled, `_ws` is the settle time. */
  _wt: unknown;
  /** @internal */
  _ws: number;
  /**
   * @internal What most tasks never need: the cancellation, the AbortController, the result
   * promise, attributes, debug sites.
   */
  _extra: TaskExtra | undefined;

  // Private: tasks come from `spawn()` and `group.spawn()`; the engine creates them through NewTask.
  private constructor(name: string, group: TaskGroup, fn: TaskFunction<T>, flags: number, seq: number) {
    this.name = name;
    this._seq = seq;
    this._group = group;
    this._state = RUNNING | flags;
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

  /**
   * The names of the task's ancestors and its own, joined with ` › `, with the named group each was
   * spawned into as a level of its own: `main › request#42 › fetch-user` for a task spawned by
   * `main` into `TaskGroup.run('request#42', …)`. A task's own scope (`spawn()` inside it),
   * run()'s group and unnamed groups add no level.
   */
  get path(): string {
    let path = this.name;
    for (let t: Task = this; ; ) {
      const group = groupInPath(t._group);
      if (group !== undefined) path = `${group} › ${path}`;
      const parent = t._group.owner;
      if (parent === undefined) return path;
      path = `${parent.name} › ${path}`;
      t = parent;
    }
  }

  /** `queued`, `running`, `fulfilled`, `rejected` or `cancelled`. */
  get state(): TaskState {
    return STATE_NAMES[this._state & STATE] as TaskState;
  }

  /** Whether the task is a daemon (see {@link SpawnOptions.daemon}). */
  get daemon(): boolean {
    return (this._state & DAEMON) !== 0;
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
    if ((this._state & STATE) > RUNNING || cancelOf(this as Task) !== undefined) return;
    const err = new CancelledError(reason === undefined ? { kind: 'explicit' } : { kind: 'explicit', reason });
    cancelTask(this, requested(err, callerRequest()));
  }

  /** The live tasks spawned in this task's scopes (a fresh array). */
  get children(): Task[] {
    const out: Task[] = [];
    for (let g = groupsOf(this as Task); g !== undefined; g = g._nextG) {
      for (let t = g._head; t !== undefined; t = t._next) out.push(t);
    }
    return out;
  }

  /**
   * When the task was spawned, in epoch milliseconds: the process's `performance.timeOrigin`
   * (fractional) plus whole milliseconds, so `settledAt - createdAt` is whole.
   */
  get createdAt(): number {
    return toEpoch(this._created);
  }

  /** When the task settled, in epoch milliseconds; `undefined` while it is live. */
  get settledAt(): number | undefined {
    return (this._state & STATE) > RUNNING ? toEpoch(this._ws) : undefined;
  }

  /**
   * The task's outcome as a real Promise (the same one on every call). Asked for inside a task
   * while this one is pending, it is shown as that task's wait on this one, as `await task` is
   * (but deadlock detection does not count on it: what becomes of the promise is not seen).
   */
  result(): Promise<T> {
    if ((this._state & STATE) <= RUNNING) noteResult(this as Task);
    const extra = extraOf(this as Task);
    let d = extra.deferred;
    if (d === undefined) {
      d = extra.deferred = deferred<unknown>();
      if ((this._state & STATE) > RUNNING) settleDeferred(this, d);
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
    return noteAwait(this as Task);
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
    const age = (((this._state & STATE) > RUNNING ? this._ws : now()) - this._created) / 1000;
    const verb = (this._state & STATE) > RUNNING ? 'after' : 'for';
    return `Task '${this.name}' (${this.id}) ${this.state} ${verb} ${age.toFixed(age < 10 ? 2 : 1)} s`;
  }

  /** @internal */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `<${this.toString()}>`;
  }
}

/** @internal The task constructor, as the engine calls it (spawn-into.ts). */
export type NewTask = new <T>(name: string, group: TaskGroup, fn: TaskFunction<T>, flags: number, seq: number) => Task<T>;

registerTaskClass(Task);
