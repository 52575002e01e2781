import { TaskGroup } from './task-group.js';
import { checkFunction, checkMs } from './validate.js';

/**
 * Runs `fn` in a new scope that is cancelled after `ms` milliseconds; `fn` receives the scope's
 * signal. Rejects with {@link TimeoutError} (its `cause` is the cancellation) if the deadline
 * passes first. Nested deadlines take the minimum: an outer deadline cancels inner scopes too.
 * A cancel from outside before the deadline is a {@link CancelledError}, not a timeout.
 *
 * @example
 * ```ts
 * import { withTimeout, sleep, TimeoutError } from 'tasktree';
 * try {
 *   await withTimeout(50, (signal) => sleep(1000, { signal }));
 * } catch (error) {
 *   console.log(error instanceof TimeoutError); // true
 * }
 * ```
 */
export function withTimeout<T>(ms: number, fn: (signal: AbortSignal) => T | PromiseLike<T>): Promise<T> {
  const api = 'withTimeout(ms, fn)';
  checkMs(api, 'ms', ms);
  checkFunction(api, 'fn', fn);
  return TaskGroup.run(`withTimeout(${ms})`, (group) => fn(group.signal), { timeout: ms });
}
