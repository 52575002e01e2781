// The TaskGroup class: a scope's public API (`TaskGroup.run`, `await using`, spawn, cancel, signal,
// whenBelow) and its fields. What happens behind the API lives in the files named at each call:
// spawn-into.ts, group-join.ts, group-close.ts, failures.ts, concurrency.ts, cancel.ts, and, for
// the constructor, group-links.ts, group-signal.ts and group-timeout.ts.
import { storage } from './context.js';
import { deferred } from './deferred.js';
import { CancelledError, requested, type TaskFailure } from './errors.js';
import { cancelGroup } from './cancel.js';
import { callerRequest } from './cancel-request.js';
import { startQueued, wakeBelow, whenBelow } from './concurrency.js';
import { fail } from './failures.js';
import { checkDone as importedCheckDone } from './group-close.js';
import { exitScope, outcome, runBody } from './group-join.js';
import { linkToOwner as importedLinkToOwner, nestIn } from './group-links.js';
import { linkSignal } from './group-signal.js';
import { CLOSED as importedCLOSED, CLOSING as importedCLOSING, DEFAULT_GROUP_NAME, OPEN as importedOPEN, groupExtraOf, type GroupExtra } from './group-state.js';
import { startTimeout } from './group-timeout.js';
import { unlinkRoot } from './registry.js';
import { registerTaskGroupClass, taskOfScope } from './scope-kind.js';
import { spawnInto as importedSpawnInto } from './spawn-into.js';
import type { SpawnOptions, Task, TaskFunction } from './task.js';
import { DAEMON, REJECTED, RUNNING, SLOT, STATE } from './task-state.js';
import { stamp } from './time.js';
import { checkConcurrency, checkFunction, checkMs, checkName, checkOptions, checkSignal } from './validate.js';

// On every task's path: read through module-local constants (see "Hot paths" in index.ts).
const spawnInto = importedSpawnInto;
const checkDone = importedCheckDone;
const linkToOwner = importedLinkToOwner;
const OPEN = importedOPEN;
const CLOSING = importedCLOSING;
const CLOSED = importedCLOSED;

/** Options of `new TaskGroup(name, options)` and `TaskGroup.run(name, body, options)`. */
export interface TaskGroupOptions {
  /**
   * Milliseconds until the group is cancelled; it then rejects with `TimeoutError`. Zero or
   * negative: cancelled at once (the body's first cancellable await throws). Nested deadlines
   * take the minimum.
   */
  readonly timeout?: number;
  /** At most this many tasks run at once; later spawns wait in state `queued`. Default: unlimited. */
  readonly concurrency?: number;
  /**
   * `true` (default): the first failure cancels the other tasks and the body. `false` (a
   * supervisor): every task runs to its end, every error is collected, nobody is cancelled.
   */
  readonly cancelOnError?: boolean;
  /** An outside signal: when it aborts, the group is cancelled (reason `signal`). */
  readonly signal?: AbortSignal;
}

const IMPLICIT: unique symbol = Symbol('implicit scope');

/**
 * A scope for concurrent tasks. Leaving it waits for every task spawned into it, including tasks
 * spawned while it is already waiting; the first failure cancels the rest; a failed group throws
 * a {@link TaskGroupError} holding every error.
 *
 * @example
 * ```ts
 * import { TaskGroup, sleep } from 'tasktree';
 * const [user, posts] = await TaskGroup.run('load-page', async (group) => {
 *   const user = group.spawn('fetch-user', async () => { await sleep(10); return 'ada'; });
 *   const posts = group.spawn('fetch-posts', async () => { await sleep(20); return [1, 2]; });
 *   return [await user, await posts];
 * });
 * ```
 *
 * @example
 * ```ts
 * import { TaskGroup } from 'tasktree';
 * {
 *   await using group = new TaskGroup('workers');
 *   for (const id of [1, 2, 3]) group.spawn(`worker-${id}`, async (task) => id * 2);
 * } // waits for the three workers here, and throws if any failed
 * ```
 */
export class TaskGroup {
  /** The group's name, shown by the inspection tools and in errors. */
  readonly name: string;
  /** The task whose code created the group: the parent of every task spawned into it. */
  readonly owner: Task | undefined;

  /** @internal A task's own scope (where `spawn()` inside that task goes). */
  readonly _implicit: boolean;
  /** @internal */
  readonly _cancelOnError: boolean;
  /** @internal */
  readonly _concurrency: number;
  /** @internal Live tasks, oldest first. */
  _head: Task | undefined = undefined;
  /** @internal */
  _tail: Task | undefined = undefined;
  /** @internal Live tasks; of them not daemons; of them holding a concurrency slot. */
  _count = 0;
  /** @internal */
  _nonDaemon = 0;
  /** @internal */
  _running = 0;
  /** @internal Every real error, in order. */
  _failures: TaskFailure[] | undefined = undefined;
  /** @internal The first cancellation (of any cause). */
  _cancel: CancelledError | undefined = undefined;
  /** @internal OPEN → CLOSING (scope exited, waiting for tasks) → CLOSED. */
  _phase = OPEN;
  /** @internal Neighbours in the owner's list of open groups, or in the registry's roots. */
  _prevG: TaskGroup | undefined = undefined;
  /** @internal */
  _nextG: TaskGroup | undefined = undefined;
  /** @internal Linked into the registry's roots (groups with no live owner, while they have tasks). */
  _rooted = false;
  /** @internal Linked into the owner's list of groups. */
  _owned = false;
  /** @internal How many tasks were ever spawned into it. */
  _spawned = 0;
  /** @internal What most groups never need (see {@link GroupExtra}), created on first use. */
  _x: GroupExtra | undefined = undefined;
  /** @internal Monotonic creation time. */
  readonly _created: number;

  constructor(name?: string, options?: TaskGroupOptions);
  /** @internal */
  constructor(name: string, options: TaskGroupOptions | undefined, implicit: typeof IMPLICIT, owner: Task);
  constructor(name?: string, options?: TaskGroupOptions, implicit?: typeof IMPLICIT, owner?: Task) {
    if (implicit === IMPLICIT) {
      // A task's own scope, made by spawn() inside it: no options to check, an owner that is running.
      const parent = owner as Task;
      this.name = name as string;
      this.owner = parent;
      this._implicit = true;
      this._cancelOnError = true;
      this._concurrency = Infinity;
      this._created = stamp();
      linkToOwner(this, parent);
      return;
    }
    const api = 'new TaskGroup(name, options)';
    this.name = name === undefined ? DEFAULT_GROUP_NAME : checkName(api, name);
    checkOptions(api, options);
    this._implicit = false;
    const scope = storage.getStore();
    this.owner = taskOfScope(scope);
    this._cancelOnError = options?.cancelOnError ?? true;
    this._concurrency = options?.concurrency === undefined ? Infinity : checkConcurrency(api, options.concurrency);
    this._created = stamp();
    const parent = this.owner;
    if (parent !== undefined && (parent._state & STATE) <= RUNNING) linkToOwner(this, parent);
    // Created in a group's body: nested in that group, so cancelling it (outside, failure,
    // timeout) reaches this one too, even when both belong to the same task.
    if (scope instanceof TaskGroup && scope._phase !== CLOSED) nestIn(this, scope);
    if (options?.signal !== undefined) linkSignal(this, checkSignal(api, options.signal));
    if (options?.timeout !== undefined) startTimeout(this, checkMs(api, 'timeout', options.timeout));
  }

  /**
   * Runs `body(group)` in a new group and returns its value once every task spawned into the
   * group has settled. Inside the body, `spawn()` and `sleep()` use this group (its scope and
   * its signal).
   *
   * Throws {@link TaskGroupError} if any task or the body failed; the cancellation (a
   * {@link CancelledError}, or {@link TimeoutError} for the `timeout` option) if the group was
   * cancelled from outside and nothing failed.
   */
  static run<T>(name: string, body: (group: TaskGroup) => T | PromiseLike<T>, options?: TaskGroupOptions): Promise<T>;
  static run<T>(body: (group: TaskGroup) => T | PromiseLike<T>, options?: TaskGroupOptions): Promise<T>;
  static run<T>(
    a: string | ((group: TaskGroup) => T | PromiseLike<T>),
    b?: ((group: TaskGroup) => T | PromiseLike<T>) | TaskGroupOptions,
    c?: TaskGroupOptions,
  ): Promise<T> {
    const api = 'TaskGroup.run(name, body, options)';
    let name: string | undefined;
    let body: unknown;
    let options: TaskGroupOptions | undefined;
    if (typeof a === 'function') {
      body = a;
      options = b as TaskGroupOptions | undefined;
    } else {
      name = checkName(api, a);
      body = b;
      options = c;
    }
    checkFunction(api, 'body', body);
    checkOptions(api, options);
    const group = new TaskGroup(name ?? ((body as { name?: string }).name || DEFAULT_GROUP_NAME), options);
    return runBody(group, body as (group: TaskGroup) => T | PromiseLike<T>);
  }

  /**
   * Spawns a task into this group; it starts in a microtask (or waits in state `queued` when
   * `concurrency` is reached). Returns the {@link Task}.
   *
   * Throws {@link ScopeClosedError} (and never calls `fn`) when the group's scope has exited.
   * Into a cancelling group, returns a task that is already cancelled; `fn` never runs.
   */
  spawn<T>(name: string, fn: TaskFunction<T>, options?: SpawnOptions): Task<T>;
  spawn<T>(fn: TaskFunction<T>, options?: SpawnOptions): Task<T>;
  spawn<T>(a: string | TaskFunction<T>, b?: TaskFunction<T> | SpawnOptions, c?: SpawnOptions): Task<T> {
    return spawnInto(this, 'TaskGroup.spawn(name, fn, options)', a, b, c);
  }

  /**
   * Cancels every task in the group and aborts the group's `signal`. Leaving the scope then
   * throws the {@link CancelledError} (unless a task failed: real errors win).
   */
  cancel(reason?: unknown): void {
    const err = new CancelledError(reason === undefined ? { kind: 'explicit' } : { kind: 'explicit', reason });
    cancelGroup(this, requested(err, callerRequest()), true);
  }

  /** Aborted when the group is cancelled (from outside, by a failure, or by its timeout). */
  get signal(): AbortSignal {
    if (this._implicit) return (this.owner as Task).signal;
    const x = groupExtraOf(this);
    let ac = x.ac;
    if (ac === undefined) {
      ac = x.ac = new AbortController();
      if (this._cancel !== undefined) ac.abort(this._cancel);
    }
    return ac.signal;
  }

  /** The live tasks of the group, oldest first (a fresh array). */
  get tasks(): Task[] {
    const out: Task[] = [];
    for (let t = this._head; t !== undefined; t = t._next) out.push(t);
    return out;
  }

  /** How many tasks of the group are live (running or queued). */
  get size(): number {
    return this._count;
  }

  /** How many tasks wait for a `concurrency` slot. */
  get queued(): number {
    const x = this._x;
    return x === undefined || x.queue === undefined ? 0 : x.queue.length - x.queueHead;
  }

  /**
   * Resolves once fewer than `n` tasks of the group are live (at once if that is already so):
   * backpressure for a producer feeding a `concurrency`-limited group, so its queue stays bounded.
   * A cancellation point, like awaiting a task.
   *
   * @example
   * ```ts
   * import { TaskGroup, sleep } from 'tasktree';
   * await TaskGroup.run('jobs', async (group) => {
   *   for (let i = 0; i < 100; i++) {
   *     await group.whenBelow(8); // never more than 8 live (4 running + 4 queued)
   *     group.spawn(`job-${i}`, () => sleep(1));
   *   }
   * }, { concurrency: 4 });
   * ```
   */
  whenBelow(n: number): Promise<void> {
    return whenBelow(this, n);
  }

  /** Waits for every task, then throws the group's failure or cancellation, if any. */
  async [Symbol.asyncDispose](): Promise<void> {
    await exitScope(this);
    outcome(this, true, undefined);
  }

  /** `TaskGroup 'name' open, 2 tasks` */
  toString(): string {
    const phase = this._phase === OPEN ? 'open' : this._phase === CLOSING ? 'closing' : 'closed';
    const cancelled = this._cancel !== undefined ? ', cancelled' : '';
    return `TaskGroup '${this.name}' ${phase}${cancelled}, ${this._count} live of ${this._spawned} spawned`;
  }

  /** @internal */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `<${this.toString()}>`;
  }

  // -------------------------------------------------------------------------------------------

  /** @internal Marks the scope exited; returns a promise for the last task, or undefined if done. */
  _close(): Promise<void> | undefined {
    if (this._phase === CLOSED) return undefined;
    this._phase = CLOSING;
    checkDone(this);
    if ((this._phase as number) === CLOSED) return undefined;
    return (groupExtraOf(this).join ??= deferred<void>()).promise;
  }

  /**
   * @internal Called by a task of this group when it settles (settle.ts calls it as a method: the
   * settling code does not import the group's).
   */
  _childSettled(task: Task): void {
    const prev = task._prev;
    const next = task._next;
    if (prev === undefined) this._head = next;
    else prev._next = next;
    if (next === undefined) this._tail = prev;
    else next._prev = prev;
    task._prev = task._next = undefined;
    this._count--;
    if ((task._state & DAEMON) === 0) this._nonDaemon--;
    if ((task._state & SLOT) !== 0) {
      this._running--;
      if (this._x?.queue !== undefined) startQueued(this);
    }
    if ((task._state & STATE) === REJECTED) fail(this, { source: 'task', task, error: task._slot }, true);
    if (this._count === 0 && this._rooted) {
      this._rooted = false;
      unlinkRoot(this);
    }
    if (this._x?.below !== undefined) wakeBelow(this);
    if (this._phase === CLOSING) checkDone(this);
  }

  /** @internal Creates the own scope of `task` (for `spawn()` inside it). */
  static _implicitFor(task: Task): TaskGroup {
    return new TaskGroup(task.name, undefined, IMPLICIT, task);
  }
}

registerTaskGroupClass(TaskGroup);
