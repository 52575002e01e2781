import type { CancelRequest } from './cancel-request.js';
import type { Task } from './task.js';
import { formatFailureTree, formatShort, showThrown, type GroupLike } from './error-text.js';
import { isLibraryFrame, splitStack, userFrames } from './frames.js';
import { now } from './time.js';

/**
 * Why a task or group was cancelled. Every {@link CancelledError} carries one.
 *
 * - `explicit` — `task.cancel(reason)` or `group.cancel(reason)` was called.
 * - `parent-cancelled` — the task that owns the scope was cancelled; `cause` is its cancellation.
 * - `sibling-failed` — another task in the same group threw `error` (first failure cancels the rest).
 * - `body-failed` — the group's body (or the task function owning the scope) threw `error`.
 * - `timeout` — the group's `timeout` (or `withTimeout`) of `ms` expired.
 * - `signal` — an outside `AbortSignal` linked with the `signal` option aborted, or the process got
 *   SIGINT/SIGTERM inside `run()`; `reason` is the signal's reason or the signal name.
 * - `scope-done` — a `daemon` task, cancelled because the rest of its scope finished.
 */
export type CancelReason =
  | { readonly kind: 'explicit'; readonly reason?: unknown }
  | { readonly kind: 'parent-cancelled'; readonly parent: Task; readonly cause: CancelledError }
  | { readonly kind: 'sibling-failed'; readonly task: Task; readonly error: unknown }
  | { readonly kind: 'body-failed'; readonly group: string; readonly error: unknown }
  | { readonly kind: 'timeout'; readonly group: string; readonly ms: number }
  | { readonly kind: 'signal'; readonly reason: unknown }
  | { readonly kind: 'scope-done'; readonly group: string };

/** @internal A short, one-line description of any thrown value: `Name: message`, or its string form. */
export function describeError(error: unknown): string {
  let text: string;
  if (error instanceof Error) text = `${error.name}: ${error.message}`;
  else {
    try {
      text = typeof error === 'string' ? error : showThrown(error);
    } catch {
      text = `<unprintable ${typeof error}>`;
    }
  }
  const firstLine = text.split('\n', 1)[0] ?? '';
  return firstLine.length > 200 ? `${firstLine.slice(0, 199)}…` : firstLine;
}

type ParentCancelled = Extract<CancelReason, { kind: 'parent-cancelled' }>;

/**
 * The parent's name and the first cause only: a chain of 5,000 scopes must not build 5,000 ever
 * longer messages.
 */
function parentCancelled(reason: ParentCancelled, first: CancelReason): string {
  return `parent '${reason.parent.name}' was cancelled (${describeCancelReason(first)})`;
}

/** @internal One line saying who cancelled and why. */
export function describeCancelReason(reason: CancelReason): string {
  switch (reason.kind) {
    case 'explicit':
      return reason.reason === undefined ? 'cancelled explicitly' : `cancelled explicitly: ${describeError(reason.reason)}`;
    case 'parent-cancelled':
      return parentCancelled(reason, reason.cause._root.reason);
    case 'sibling-failed':
      return `sibling '${reason.task.name}' (${reason.task.id}) failed: ${describeError(reason.error)}`;
    case 'body-failed':
      return `the body of '${reason.group}' failed: ${describeError(reason.error)}`;
    case 'timeout':
      return `'${reason.group}' timed out after ${reason.ms} ms`;
    case 'signal':
      return `outside signal aborted${reason.reason === undefined ? '' : `: ${describeError(reason.reason)}`}`;
    case 'scope-done':
      return `daemon task stopped: the rest of '${reason.group}' finished`;
  }
}

/** `Name` on the prototype, as the built-in errors have it: nothing of it on each instance. */
function nameErrors(cls: { prototype: Error }, name: string): void {
  Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, enumerable: false, configurable: true });
}

const inspectCustom = Symbol.for('nodejs.util.inspect.custom');

let setRequest: (error: CancelledError, request: CancelRequest) => void;

/** @internal Records who asked for the cancellation `error` stands for (its chain's first); returns it. */
export function requested(error: CancelledError, request: CancelRequest): CancelledError {
  setRequest(error, request);
  return error;
}

// Node prints an uncaught error as its `stack` plus its enumerable own properties, with custom
// inspection off: so every field of these errors lives in a private field behind a getter on the
// prototype, and nothing of tasktree's (a task, a reason, a monotonic time) is dumped with it.

/**
 * The error a cancelled task rejects with, and the `reason` of every aborted task or group
 * `signal`. Cancellation is not a failure: cancelled tasks never appear in a
 * {@link TaskGroupError}.
 *
 * Thrown by: awaiting a cancelled task, `sleep()` when the scope is cancelled, a group (or
 * `TaskGroup.run`) cancelled from outside.
 *
 * @example
 * ```ts
 * import { TaskGroup, CancelledError, sleep } from 'tasktree';
 * try {
 *   await TaskGroup.run('jobs', async (group) => {
 *     group.cancel('shutting down');
 *     await sleep(1000);
 *   });
 * } catch (error) {
 *   if (error instanceof CancelledError) console.log(error.reason.kind); // 'explicit'
 * }
 * ```
 */
export class CancelledError extends Error {
  static {
    nameErrors(this, 'CancelledError');
    setRequest = (error, request) => {
      error.#request = request;
    };
  }
  readonly #reason: CancelReason;
  readonly #root: CancelledError;
  readonly #at: number;
  /** Who asked: recorded where it was asked, on the first cancellation of a chain. */
  #request: CancelRequest | undefined = undefined;
  constructor(reason: CancelReason) {
    // One per cancelled scope, on the hot path of a cancellation storm: the chain's root is read
    // once, from its private field.
    const root = reason.kind === 'parent-cancelled' ? reason.cause.#root : undefined;
    super(root === undefined ? describeCancelReason(reason) : parentCancelled(reason as ParentCancelled, root.#reason));
    this.#reason = reason;
    this.#root = root ?? this;
    this.#at = now();
  }
  /** Who cancelled, and why. */
  get reason(): CancelReason {
    return this.#reason;
  }
  /** @internal Monotonic time of the cancellation (for "ignoring cancellation for 6 s"). */
  get _at(): number {
    return this.#at;
  }
  /** @internal The first cancellation of a `parent-cancelled` chain (this error otherwise). */
  get _root(): CancelledError {
    return this.#root;
  }
  /** @internal Who asked for the chain's first cancellation, when tasktree recorded it. */
  get _request(): CancelRequest | undefined {
    return this.#root.#request;
  }
  /** @internal `CancelledError: <who and why>` and the user's frames. */
  [inspectCustom](): string {
    return formatShort(this);
  }
}

/** Which task (or body) raised one error of a {@link TaskGroupError}. */
export interface TaskFailure {
  /** The thrown value, exactly as thrown. */
  readonly error: unknown;
  /** `'task'` for a child task, `'body'` for the group's body or the function owning the scope. */
  readonly source: 'task' | 'body';
  /** The child task that threw; `undefined` when `source` is `'body'`. */
  readonly task: Task | undefined;
}

/** V8's own `stack` getter (Node 22 and later); Node 20 keeps the stack as a plain value. */
const nativeStackGetter = Object.getOwnPropertyDescriptor(new Error(), 'stack')?.get;

let stackOf: (error: TaskGroupError) => unknown;
let setStackOf: (error: TaskGroupError, value: unknown) => void;
let relocate: (error: TaskGroupError, fn: (...args: never[]) => unknown) => void;
let treeOf: (error: unknown) => GroupLike | undefined;
const stackDescriptor: PropertyDescriptor = {
  get(this: TaskGroupError) {
    return stackOf(this);
  },
  set(this: TaskGroupError, value: unknown) {
    setStackOf(this, value);
  },
  enumerable: false,
  configurable: true,
};

/**
 * A group failed: every real error of its children and its body, none lost. Extends
 * `AggregateError`: `errors` holds the thrown values in the order they happened, `failures`
 * says which task raised each. Nested groups' `TaskGroupError`s are elements, not flattened.
 * Cancellations are never in it.
 *
 * Its `stack` (what an uncaught one prints, and `util.inspect`) is the failure tree: the message,
 * where it was raised, then each failure as `[task path] Error: message` with its own frames,
 * nested groups indented — tasktree's and Node's internal frames left out.
 *
 * Thrown by: `TaskGroup.run`, leaving an `await using` group scope, awaiting a task whose own
 * children failed, `run()` when the main task's children failed.
 */
export class TaskGroupError extends AggregateError {
  static {
    nameErrors(this, 'TaskGroupError');
    // `errors` on the prototype, not on each instance: Node prints an uncaught AggregateError's
    // own `errors` after its stack, which here already shows every failure.
    Object.defineProperty(this.prototype, 'errors', {
      get(this: TaskGroupError) {
        return this.#errors;
      },
      set(this: TaskGroupError, value: unknown) {
        Object.defineProperty(this, 'errors', { value, writable: true, enumerable: false, configurable: true });
      },
      enumerable: false,
      configurable: true,
    });
    stackOf = (error) => {
      if (error.#stack === undefined) error.#stack = { value: formatFailureTree(error.#tree(), `${error.name}: ${error.message}`, treeOf) };
      return error.#stack.value;
    };
    treeOf = (error) => (error instanceof TaskGroupError ? error.#tree() : undefined);
    setStackOf = (error, value) => {
      error.#stack = { value };
    };
    relocate = (error, fn) => {
      const raised = { stack: error.#siteStack() };
      const frames = error.#ownFrames();
      // V8's record of where the error is thrown from (Node's code frame above an uncaught error
      // reads it; formatting it would lose the location, so the frames come from a holder).
      Error.captureStackTrace(error, fn);
      if (frames.length === 0) {
        const holder: { stack?: string } = {};
        Error.captureStackTrace(holder, fn);
        error.#frames = userFrames(String(holder.stack));
      }
      error.#site = raised;
      error.#stack = undefined;
      Object.defineProperty(error, 'stack', stackDescriptor);
    };
  }
  declare errors: unknown[];
  readonly #group: string;
  readonly #failures: readonly TaskFailure[];
  readonly #errors: unknown[];
  readonly #headline: string;
  /** Where it was raised: V8 keeps it on the error itself, or (Node 20) on a holder. */
  #site: { stack?: string } | undefined;
  /** Its own user frames, once formatted. */
  #frames: readonly string[] | undefined = undefined;
  /** The formatted tree, or what was assigned to `stack`. */
  #stack: { value: unknown } | undefined = undefined;
  constructor(group: string, failures: readonly TaskFailure[]) {
    const shown = failures.slice(0, 3).map((f) => `[${f.task ? f.task.name : 'body'}] ${describeError(f.error)}`);
    if (failures.length > 3) shown.push(`… ${failures.length - 3} more`);
    const count = failures.length === 1 ? '1 error' : `${failures.length} errors`;
    const headline = `TaskGroup '${group}' failed with ${count}`;
    const errors = failures.map((f) => f.error);
    super(errors, `${headline}: ${shown.join('; ')}`);
    Reflect.deleteProperty(this, 'errors');
    this.#errors = errors;
    this.#group = group;
    this.#failures = failures;
    this.#headline = headline;
    if (nativeStackGetter === undefined) {
      const site: { stack?: string } = {};
      Error.captureStackTrace(site, new.target);
      this.#site = site;
    } else this.#site = this;
    Object.defineProperty(this, 'stack', stackDescriptor);
  }
  /** The group's name. */
  get group(): string {
    return this.#group;
  }
  /** One entry per error, in the order they happened. */
  get failures(): readonly TaskFailure[] {
    return this.#failures;
  }
  /** @internal The failure tree (its `stack`). */
  [inspectCustom](): unknown {
    return this.stack;
  }
  /** V8's stack of where it was raised. */
  #siteStack(): string {
    const site = this.#site;
    try {
      const raw: unknown = site === this ? nativeStackGetter?.call(this) : site?.stack;
      return typeof raw === 'string' ? raw : '';
    } catch {
      return '';
    }
  }
  #ownFrames(): readonly string[] {
    return (this.#frames ??= userFrames(this.#siteStack()));
  }
  #tree(): GroupLike {
    return {
      name: this.name,
      group: this.#group,
      headline: this.#headline,
      failures: this.#failures,
      ownFrames: () => this.#ownFrames(),
      raisedAt: () => splitStack(this.#siteStack()).frames[0],
    };
  }
}

/**
 * @internal `run()` rethrows a tasktree error: where it was raised inside tasktree says nothing, so
 * anchor it at `fn`'s caller (the user's `await run(…)`) — its stack shows that line when it had no
 * frame of the user's, and Node's code frame above an uncaught error points there. `always` for
 * errors raised by tasktree's own run hooks, which never carry a useful frame.
 */
export function anchorAtCaller(error: unknown, fn: (...args: never[]) => unknown, always = false): void {
  if (error instanceof TaskGroupError) {
    relocate(error, fn);
    return;
  }
  if (!(error instanceof Error)) return;
  if (!always) {
    if (!(error instanceof CancelledError || error instanceof TimeoutError || error instanceof ScopeClosedError)) return;
    if (userFrames(String(error.stack)).length > 0) return;
  }
  Error.captureStackTrace(error, fn);
  // Resumed from inside Node's timers or ticks, the caller's frames start with Node's own: show
  // the user's only (on the side, as reading the error's own stack would lose its location).
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, fn);
  const frames = splitStack(String(holder.stack)).frames;
  if (!frames.some(isLibraryFrame)) return;
  const text = [`${error.name}: ${error.message}`, ...frames.filter((frame) => !isLibraryFrame(frame)).map((frame) => `    ${frame}`)].join('\n');
  let value: unknown = text;
  Object.defineProperty(error, 'stack', {
    get: () => value,
    set: (v: unknown) => {
      value = v;
    },
    enumerable: false,
    configurable: true,
  });
}

/**
 * A group's `timeout`, or `withTimeout(ms, fn)`, expired before the work finished. `cause` is
 * the {@link CancelledError} that stopped the work. A cancel from outside before the deadline
 * is a `CancelledError`, not a `TimeoutError`.
 */
export class TimeoutError extends Error {
  static {
    nameErrors(this, 'TimeoutError');
  }
  readonly #ms: number;
  constructor(group: string, ms: number, cause: CancelledError) {
    super(`'${group}' timed out after ${ms} ms`, { cause });
    this.#ms = ms;
  }
  /** The timeout that expired, in milliseconds. */
  get ms(): number {
    return this.#ms;
  }
  /** @internal `TimeoutError: 'name' timed out after N ms` and the user's frames. */
  [inspectCustom](): string {
    return formatShort(this);
  }
}

/**
 * `spawn()` was called on a group whose scope has already exited. The function is never called.
 * Thrown synchronously by `group.spawn()` and `spawn()`.
 */
export class ScopeClosedError extends Error {
  static {
    nameErrors(this, 'ScopeClosedError');
  }
  readonly #group: string;
  constructor(group: string, api: string) {
    super(`${api}: TaskGroup '${group}' is closed (its scope has exited); spawn into an open group`);
    this.#group = group;
  }
  /** The group's name. */
  get group(): string {
    return this.#group;
  }
  /** @internal `ScopeClosedError: <api>: …` and the user's frames. */
  [inspectCustom](): string {
    return formatShort(this);
  }
}

/** @internal Is this thrown value a cancellation rather than a failure? */
export function isCancellation(error: unknown, cancel: CancelledError | undefined): boolean {
  if (error instanceof CancelledError) return true;
  if (cancel === undefined || error === null || typeof error !== 'object') return false;
  // Web and Node APIs given a cancelled signal reject with an AbortError (cause: our reason) or
  // with the signal's reason itself.
  return (error as { name?: unknown }).name === 'AbortError';
}
