import type { AsyncResource } from 'node:async_hooks';
import { storage } from './context.js';
import { deferred, type Deferred } from './deferred.js';
import {
  CancelledError,
  ScopeClosedError,
  TaskGroupError,
  TimeoutError,
  isCancellation,
  type TaskFailure,
} from './errors.js';
import { emit, isObserved } from './events.js';
import { hooks } from './hooks.js';
import { interrupt, interruptible, type Wait } from './interrupt.js';
import { nextSeq } from './ids.js';
import { linkRoot, unlinkRoot } from './registry.js';
import {
  CANCELLED,
  DAEMON,
  QUEUED,
  REJECTED,
  RUNNING,
  SLOT,
  Task,
  beginWait,
  cancelOf,
  captureContext,
  endWait,
  extraOf,
  groupsOf,
  scheduleStart,
  settleTask,
  taskOfScope,
  type SpawnOptions,
  type TaskExtra,
  type TaskFunction,
} from './task.js';
import { MAX_TIMER_MS, now, stamp } from './time.js';
import { checkConcurrency, checkFunction, checkMs, checkName, checkOptions, checkSignal, show } from './validate.js';

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

/** How many group bodies are starting synchronously, one inside the other, right now. */
let bodyDepth = 0;
const MAX_SYNC_BODY_DEPTH = 64;

const OPEN = 0;
const CLOSING = 1;
const CLOSED = 2;

const IMPLICIT: unique symbol = Symbol('implicit scope');

/**
 * @internal A group's state that most groups never need, created on first use. Every task that
 * spawns gets a group (its own scope), so a group's size and creation time are paid per task.
 */
export class GroupExtra {
  /** Tasks waiting for a `concurrency` slot, from `queueHead` on. */
  queue: Task[] | undefined = undefined;
  queueHead = 0;
  /** The first cancellation that came from outside (explicit, parent, signal, timeout). */
  outside: CancelledError | undefined = undefined;
  /** The cancellation of the group's own timeout, once it expired. */
  expired: CancelledError | undefined = undefined;
  ac: AbortController | undefined = undefined;
  /** Resolved when the group closes, for whoever waits on it. */
  join: Deferred<void> | undefined = undefined;
  timer: NodeJS.Timeout | undefined = undefined;
  /** Removes the listener on the outside signal. */
  unlinkSignal: (() => void) | undefined = undefined;
  /** The group whose body created this group (cancelling it cancels this one). */
  encl: TaskGroup | undefined = undefined;
  /** Open groups created in this group's body. */
  subs: Set<TaskGroup> | undefined = undefined;
  /** `_spawned` when the daemons were last stopped (-1: never). */
  daemonsStoppedAt = -1;
  /** The body's pending interruptible waits (see interrupt.ts). */
  _waits: Wait | Wait[] | undefined = undefined;
  /** Producers waiting in `whenBelow(n)`. */
  below: { n: number; resolve: () => void }[] | undefined = undefined;
}

/** @internal The group's extra state, created on first use. */
export function groupExtraOf(group: TaskGroup): GroupExtra {
  return (group._x ??= new GroupExtra());
}

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
      this._linkToOwner(parent);
      return;
    }
    const api = 'new TaskGroup(name, options)';
    this.name = name === undefined ? 'TaskGroup' : checkName(api, name);
    checkOptions(api, options);
    this._implicit = false;
    const scope = storage.getStore();
    this.owner = taskOfScope(scope);
    this._cancelOnError = options?.cancelOnError ?? true;
    this._concurrency = options?.concurrency === undefined ? Infinity : checkConcurrency(api, options.concurrency);
    this._created = stamp();
    const parent = this.owner;
    if (parent !== undefined && parent._state <= RUNNING) this._linkToOwner(parent);
    // Created in a group's body: nested in that group, so cancelling it (outside, failure,
    // timeout) reaches this one too, even when both belong to the same task.
    if (scope instanceof TaskGroup && scope._phase !== CLOSED) {
      groupExtraOf(this).encl = scope;
      (groupExtraOf(scope).subs ??= new Set()).add(this);
      if (scope._cancel !== undefined) cancelGroup(this, scope._cancel, true);
    }
    if (options?.signal !== undefined) {
      const signal = checkSignal(api, options.signal);
      const onAbort = (): void => cancelGroup(this, new CancelledError({ kind: 'signal', reason: signal.reason }), true);
      if (signal.aborted) onAbort();
      else {
        signal.addEventListener('abort', onAbort, { once: true });
        groupExtraOf(this).unlinkSignal = () => signal.removeEventListener('abort', onAbort);
      }
    }
    if (options?.timeout !== undefined) {
      const ms = checkMs(api, 'timeout', options.timeout);
      if (ms <= 0) onTimeout(this, ms);
      else groupExtraOf(this).timer = setTimeout(onTimeout, Math.min(ms, MAX_TIMER_MS), this, ms);
    }
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
    const group = new TaskGroup(name ?? ((body as { name?: string }).name || 'TaskGroup'), options);
    return group._runBody(body as (group: TaskGroup) => T | PromiseLike<T>);
  }

  /** Runs the body in this group's context, then leaves the scope. */
  private async _runBody<T>(body: (group: TaskGroup) => T | PromiseLike<T>): Promise<T> {
    let ok = true;
    let value: unknown;
    // The body starts synchronously, except when bodies are already nested this deep on the
    // stack: then it starts in a microtask, so groups opened directly in group bodies, any number
    // deep, cannot overflow the stack.
    if (bodyDepth >= MAX_SYNC_BODY_DEPTH) await undefined;
    try {
      bodyDepth++;
      let started: T | PromiseLike<T>;
      try {
        started = storage.run(this, body, this);
      } finally {
        bodyDepth--;
      }
      value = await started;
    } catch (error) {
      ok = false;
      value = error;
      this._bodyFailed(error);
    }
    await this._exit();
    return this._outcome(ok, value) as T;
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
    return this._spawn('TaskGroup.spawn(name, fn, options)', a, b, c);
  }

  /** @internal */
  _spawn<T>(api: string, a: unknown, b: unknown, c: unknown): Task<T> {
    let name: string | undefined;
    let fn: unknown;
    let options: SpawnOptions | undefined;
    if (typeof a === 'function') {
      fn = a;
      options = b as SpawnOptions | undefined;
    } else {
      if (typeof a !== 'string' || a.length === 0) {
        if (b === undefined && typeof a !== 'string') throw new TypeError(`${api}: expected fn to be a function, got ${show(a)}`);
        checkName(api, a);
      }
      name = a as string;
      fn = b;
      options = c as SpawnOptions | undefined;
    }
    checkFunction(api, 'fn', fn);
    let flags = 0;
    if (options !== undefined) {
      checkOptions(api, options);
      if (options.daemon) flags = DAEMON;
    }
    if (this._phase === CLOSED) throw new ScopeClosedError(this.name, api);

    const seq = nextSeq();
    const task = new Task<T>(name ?? ((fn as { name?: string }).name || `Task-${seq}`), this, fn as TaskFunction<T>, flags, seq);
    if (options?.attributes !== undefined) extraOf(task).attributes = options.attributes;
    if (hooks.spawn !== undefined) hooks.spawn(task);
    this._spawned++;

    // Link into the live list.
    const tail = this._tail;
    task._prev = tail;
    if (tail === undefined) this._head = task;
    else tail._next = task;
    this._tail = task;
    if (this._count++ === 0 && !this._owned) {
      this._rooted = true;
      linkRoot(this);
    }
    if ((flags & DAEMON) === 0) this._nonDaemon++;
    if (isObserved('spawn')) emit('spawn', task);

    if (this._cancel !== undefined) {
      extraOf(task).cancel = this._cancel;
      settleTask(task, CANCELLED, this._cancel);
    } else if (this._running < this._concurrency) {
      this._running++;
      task._flags |= SLOT;
      scheduleStart(task, captureContext());
    } else {
      task._state = QUEUED;
      (groupExtraOf(this).queue ??= []).push(task);
      extraOf(task).context = captureContext();
    }
    return task;
  }

  /**
   * Cancels every task in the group and aborts the group's `signal`. Leaving the scope then
   * throws the {@link CancelledError} (unless a task failed: real errors win).
   */
  cancel(reason?: unknown): void {
    cancelGroup(this, new CancelledError(reason === undefined ? { kind: 'explicit' } : { kind: 'explicit', reason }), true);
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
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
      throw new RangeError(`TaskGroup.whenBelow(n): expected n to be an integer >= 1, got ${show(n)}`);
    }
    if (this._count < n) return Promise.resolve();
    const below = (groupExtraOf(this).below ??= []);
    const done = new Promise<void>((resolve) => below.push({ n, resolve }));
    const scope = storage.getStore();
    return scope === undefined ? done : interruptible(scope, done);
  }

  /** Waits for every task, then throws the group's failure or cancellation, if any. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this._exit();
    this._outcome(true, undefined);
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

  /** @internal The body threw: record the error (unless it is a cancellation) and cancel the rest. */
  _bodyFailed(error: unknown): void {
    const cancellation = isCancellation(error, this._cancel ?? (this.owner === undefined ? undefined : cancelOf(this.owner)));
    if (!cancellation) this._fail({ source: 'body', task: undefined, error }, false);
    // A supervisor (`cancelOnError: false`) cancels nobody, not even when its body fails.
    if (this._cancelOnError) cancelGroup(this, new CancelledError({ kind: 'body-failed', group: this.name, error }), false);
  }

  /** @internal Leaves the scope and waits (as the owner task) until the group is closed. */
  async _exit(): Promise<void> {
    const join = this._close();
    if (join === undefined) return;
    const owner = this.owner;
    if (owner === undefined || owner._state > RUNNING) return join;
    const since = beginWait(owner, this);
    try {
      await join;
    } finally {
      endWait(owner, since, this);
    }
  }

  /** @internal Marks the scope exited; returns a promise for the last task, or undefined if done. */
  _close(): Promise<void> | undefined {
    if (this._phase === CLOSED) return undefined;
    this._phase = CLOSING;
    this._checkDone();
    if ((this._phase as number) === CLOSED) return undefined;
    return (groupExtraOf(this).join ??= deferred<void>()).promise;
  }

  /** @internal What leaving the scope gives: the body's value, or the failure or cancellation. */
  _outcome(ok: boolean, value: unknown): unknown {
    if (this._failures !== undefined) throw new TaskGroupError(this.name, this._failures);
    const outside = this._x?.outside;
    if (outside !== undefined) {
      const reason = outside.reason;
      // Only the group's own deadline makes a TimeoutError; an enclosing group's is a cancellation.
      throw outside === this._x?.expired && reason.kind === 'timeout' ? new TimeoutError(this.name, reason.ms, outside) : outside;
    }
    if (!ok) throw value;
    return value;
  }

  /** @internal Records a real error; cancels the rest when `cancelOnError`. */
  _fail(failure: TaskFailure, cancelRest: boolean): void {
    const failures = (this._failures ??= []);
    // A body that awaited a failed task rethrows the same error: report it once. (Only the body's
    // error is checked: a supervisor collecting 40,000 task errors must stay linear.)
    if (failure.source === 'body' && failure.error !== undefined && failure.error !== null) {
      for (const f of failures) if (f.error === failure.error) return;
    }
    failures.push(failure);
    if (!cancelRest || !this._cancelOnError || this._cancel !== undefined) return;
    const err = new CancelledError({ kind: 'sibling-failed', task: failure.task as Task, error: failure.error });
    cancelGroup(this, err, false);
    // A task's own scope: the failure also cancels the task's function (its signal) and its other scopes.
    if (this._implicit) cancelTask(this.owner as Task, err);
  }

  /** @internal Called by a task of this group when it settles. */
  _childSettled(task: Task): void {
    const prev = task._prev;
    const next = task._next;
    if (prev === undefined) this._head = next;
    else prev._next = next;
    if (next === undefined) this._tail = prev;
    else next._prev = prev;
    task._prev = task._next = undefined;
    this._count--;
    if ((task._flags & DAEMON) === 0) this._nonDaemon--;
    if ((task._flags & SLOT) !== 0) {
      this._running--;
      if (this._x?.queue !== undefined) this._startQueued();
    }
    if (task._state === REJECTED) this._fail({ source: 'task', task, error: task._slot }, true);
    if (this._count === 0 && this._rooted) {
      this._rooted = false;
      unlinkRoot(this);
    }
    if (this._x?.below !== undefined) this._wakeBelow();
    if (this._phase === CLOSING) this._checkDone();
  }

  private _wakeBelow(): void {
    const x = this._x as GroupExtra;
    const below = x.below as { n: number; resolve: () => void }[];
    const still = below.filter((w) => {
      if (this._count >= w.n) return true;
      w.resolve();
      return false;
    });
    x.below = still.length === 0 ? undefined : still;
  }

  private _startQueued(): void {
    const x = this._x as GroupExtra;
    const queue = x.queue as Task[];
    while (this._running < this._concurrency && x.queueHead < queue.length) {
      const task = queue[x.queueHead] as Task;
      queue[x.queueHead++] = undefined as unknown as Task;
      if (task._state !== QUEUED) continue;
      task._state = RUNNING;
      task._flags |= SLOT;
      this._running++;
      // Started in the context it was spawned in, not in that of the task that freed the slot.
      const extra = task._extra as TaskExtra;
      scheduleStart(task, extra.context as AsyncResource);
      extra.context = undefined;
    }
    if (x.queueHead === queue.length) {
      x.queue = undefined;
      x.queueHead = 0;
    }
  }

  /** @internal In CLOSING: stop daemons once only they are left; close once nothing is left. */
  _checkDone(): void {
    // Stop daemons once only they are left; again only if tasks were spawned since (so that
    // 40,000 daemons settling one by one do not rescan the list each time).
    if (this._nonDaemon === 0 && this._count > 0 && (this._x?.daemonsStoppedAt ?? -1) !== this._spawned) {
      groupExtraOf(this).daemonsStoppedAt = this._spawned;
      let err: CancelledError | undefined;
      for (let t = this._head; t !== undefined; t = t._next) {
        if (cancelOf(t) === undefined && t._state <= RUNNING) {
          err ??= new CancelledError({ kind: 'scope-done', group: this.name });
          cancelTask(t, err);
        }
      }
    }
    if (this._count !== 0) return;
    this._phase = CLOSED;
    const x = this._x;
    if (x !== undefined) {
      if (x.timer !== undefined) {
        clearTimeout(x.timer);
        x.timer = undefined;
      }
      if (x.unlinkSignal !== undefined) {
        x.unlinkSignal();
        x.unlinkSignal = undefined;
      }
      if (x.encl !== undefined) {
        x.encl._x?.subs?.delete(this);
        x.encl = undefined;
      }
    }
    if (this._owned) {
      this._owned = false;
      const owner = this.owner as Task;
      const prev = this._prevG;
      const next = this._nextG;
      if (prev === undefined) extraOf(owner).groups = next;
      else prev._nextG = next;
      if (next !== undefined) next._prevG = prev;
      this._prevG = this._nextG = undefined;
    }
    if (x !== undefined && x.join !== undefined) x.join.resolve();
  }

  /** Joins the running owner's list of open groups; born inside a cancelled task, cancelled too. */
  private _linkToOwner(parent: Task): void {
    this._owned = true;
    const extra = extraOf(parent);
    const head = extra.groups;
    this._nextG = head;
    if (head !== undefined) head._prevG = this;
    extra.groups = this;
    const cause = cancelOf(parent);
    if (cause !== undefined) {
      cancelGroup(this, new CancelledError({ kind: 'parent-cancelled', parent, cause }), true);
    }
  }

  /** @internal Creates the own scope of `task` (for `spawn()` inside it). */
  static _implicitFor(task: Task): TaskGroup {
    return new TaskGroup(task.name, undefined, IMPLICIT, task);
  }
}

function onTimeout(group: TaskGroup, ms: number): void {
  if (ms > MAX_TIMER_MS) {
    // Longer than one Node timer can wait (24.8 days): wait again for the rest.
    const left = group._created + ms - now();
    if (left > 0) {
      groupExtraOf(group).timer = setTimeout(onTimeout, Math.min(left, MAX_TIMER_MS), group, ms);
      return;
    }
  }
  const x = groupExtraOf(group);
  x.timer = undefined;
  const err = new CancelledError({ kind: 'timeout', group: group.name, ms });
  x.expired = err;
  cancelGroup(group, err, true);
}

// ---------------------------------------------------------------------------------------------
// Cancellation. Iterative (an explicit work list), so 5,000 nested scopes cannot overflow the
// stack; one CancelledError per cancelled scope, shared by its tasks. A group's tasks enter the
// list as one array, sized once: abort listeners run user code that may settle or spawn tasks, so
// the live list is copied before anything is cancelled, and the copy is the least garbage there is
// in the middle of a cancellation storm.

type Work = (Task | Task[] | TaskGroup | CancelledError)[];

/** @internal Cancels a group and everything below it. `outside`: not caused by the group's own failure. */
export function cancelGroup(group: TaskGroup, err: CancelledError, outside: boolean): void {
  const work: Work = [];
  markGroup(group, err, outside, work);
  drain(work);
}

/** @internal Cancels a task and everything below it. */
export function cancelTask(task: Task, err: CancelledError): void {
  drain([task, err]);
}

/** @internal Cancels every scope of `task` (not the task itself): its function failed. */
export function cancelScopeTree(task: Task, err: CancelledError): void {
  const work: Work = [];
  for (let g = groupsOf(task); g !== undefined; g = g._nextG) markGroup(g, err, false, work);
  drain(work);
}

function markGroup(group: TaskGroup, err: CancelledError, outside: boolean, work: Work): void {
  // Only an explicit group reports its outside cancellation (a task's own scope settles with its task).
  if (outside && !group._implicit) {
    const x = groupExtraOf(group);
    if (x.outside === undefined) x.outside = err;
  }
  if (group._cancel !== undefined) return;
  group._cancel = err;
  const x = group._x;
  if (x !== undefined && x.ac !== undefined) x.ac.abort(err);
  if (!group._implicit) interrupt(group, err);
  if (group._count > 0) {
    const tasks = new Array<Task>(group._count);
    let i = 0;
    for (let t = group._head; t !== undefined; t = t._next) tasks[i++] = t;
    work.push(tasks, err);
  }
  if (x !== undefined && x.subs !== undefined) for (const sub of x.subs) work.push(sub, err);
}

function drain(work: Work): void {
  let unstarted: Task[] | undefined;
  while (work.length > 0) {
    const err = work.pop() as CancelledError;
    const item = work.pop() as Task | Task[] | TaskGroup;
    if (item instanceof TaskGroup) markGroup(item, err, true, work);
    else if (Array.isArray(item)) {
      for (const task of item) if (cancelOne(task, err, work)) (unstarted ??= []).push(task);
    } else if (cancelOne(item, err, work)) (unstarted ??= []).push(item);
  }
  // Queued tasks never started: they settle now, without running.
  if (unstarted !== undefined) for (const task of unstarted) if (task._state === QUEUED) settleTask(task, CANCELLED, cancelOf(task));
}

/**
 * Cancels one task (unless settled or cancelled already); its groups join the work list. Returns
 * whether it is a queued task that never started (it settles once the work list is done).
 */
function cancelOne(task: Task, err: CancelledError, work: Work): boolean {
  if (task._state > RUNNING || cancelOf(task) !== undefined) return false;
  const queued = task._state === QUEUED;
  const extra = extraOf(task);
  extra.cancel = err;
  if (isObserved('cancel')) emit('cancel', task, err);
  if (extra.ac !== undefined) extra.ac.abort(err);
  interrupt(task, err);
  if (extra.groups !== undefined) {
    const childErr = new CancelledError({ kind: 'parent-cancelled', parent: task, cause: err });
    for (let g: TaskGroup | undefined = extra.groups; g !== undefined; g = g._nextG) markGroup(g, childErr, true, work);
  }
  return queued;
}
