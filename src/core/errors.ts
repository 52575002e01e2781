import type { Task } from './task.js';
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

/** A short, one-line description of any thrown value: `Name: message`, or its string form. */
export function describeError(error: unknown): string {
  let text: string;
  if (error instanceof Error) text = `${error.name}: ${error.message}`;
  else {
    try {
      text = typeof error === 'string' ? error : `${String(error)} (thrown ${typeof error})`;
    } catch {
      text = `<unprintable ${typeof error}>`;
    }
  }
  const firstLine = text.split('\n', 1)[0] ?? '';
  return firstLine.length > 200 ? `${firstLine.slice(0, 199)}…` : firstLine;
}

/** One line saying who cancelled and why. */
export function describeCancelReason(reason: CancelReason): string {
  switch (reason.kind) {
    case 'explicit':
      return reason.reason === undefined ? 'cancelled explicitly' : `cancelled explicitly: ${describeError(reason.reason)}`;
    case 'parent-cancelled':
      // The parent's name and the first cause only: a chain of 5,000 scopes must not build
      // 5,000 ever longer messages.
      return `parent '${reason.parent.name}' was cancelled (${describeCancelReason(reason.cause._root.reason)})`;
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
  override name = 'CancelledError';
  /** Who cancelled, and why. */
  readonly reason: CancelReason;
  /** @internal Monotonic time of the cancellation (for "ignoring cancellation for 6 s"). */
  readonly _at: number;
  /** @internal The first cancellation of a `parent-cancelled` chain (this error otherwise). */
  readonly _root: CancelledError;
  constructor(reason: CancelReason) {
    const root = reason.kind === 'parent-cancelled' ? reason.cause._root : undefined;
    super(describeCancelReason(reason));
    this.reason = reason;
    this._root = root ?? this;
    this._at = now();
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

/**
 * A group failed: every real error of its children and its body, none lost. Extends
 * `AggregateError`: `errors` holds the thrown values in the order they happened, `failures`
 * says which task raised each. Nested groups' `TaskGroupError`s are elements, not flattened.
 * Cancellations are never in it.
 *
 * Thrown by: `TaskGroup.run`, leaving an `await using` group scope, awaiting a task whose own
 * children failed, `run()` when the main task's children failed.
 */
export class TaskGroupError extends AggregateError {
  override name = 'TaskGroupError';
  /** The group's name. */
  readonly group: string;
  /** One entry per error, in the order they happened. */
  readonly failures: readonly TaskFailure[];
  constructor(group: string, failures: readonly TaskFailure[]) {
    const shown = failures.slice(0, 3).map((f) => `[${f.task ? f.task.name : 'body'}] ${describeError(f.error)}`);
    if (failures.length > 3) shown.push(`… ${failures.length - 3} more`);
    const count = failures.length === 1 ? '1 error' : `${failures.length} errors`;
    super(
      failures.map((f) => f.error),
      `TaskGroup '${group}' failed with ${count}: ${shown.join('; ')}`,
    );
    this.group = group;
    this.failures = failures;
  }
}

/**
 * A group's `timeout`, or `withTimeout(ms, fn)`, expired before the work finished. `cause` is
 * the {@link CancelledError} that stopped the work. A cancel from outside before the deadline
 * is a `CancelledError`, not a `TimeoutError`.
 */
export class TimeoutError extends Error {
  override name = 'TimeoutError';
  /** The timeout that expired, in milliseconds. */
  readonly ms: number;
  constructor(group: string, ms: number, cause: CancelledError) {
    super(`'${group}' timed out after ${ms} ms`, { cause });
    this.ms = ms;
  }
}

/**
 * `spawn()` was called on a group whose scope has already exited. The function is never called.
 * Thrown synchronously by `group.spawn()` and `spawn()`.
 */
export class ScopeClosedError extends Error {
  override name = 'ScopeClosedError';
  /** The group's name. */
  readonly group: string;
  constructor(group: string, api: string) {
    super(`${api}: TaskGroup '${group}' is closed (its scope has exited); spawn into an open group`);
    this.group = group;
  }
}

/** Is this thrown value a cancellation rather than a failure? */
export function isCancellation(error: unknown, cancel: CancelledError | undefined): boolean {
  if (error instanceof CancelledError) return true;
  if (cancel === undefined || error === null || typeof error !== 'object') return false;
  // Web and Node APIs given a cancelled signal reject with an AbortError (cause: our reason) or
  // with the signal's reason itself.
  return (error as { name?: unknown }).name === 'AbortError';
}
