import { storage } from './context.js';
import { taskOfScope } from './scope-kind.js';
import { MAX_TIMER_MS, now } from './time.js';
import { checkMs, checkOptions, checkSignal } from './validate.js';
import { beginWait, endWait } from './waits.js';

/** Options of {@link sleep}. */
export interface SleepOptions {
  /** Stop early when this signal aborts. Default: the current task's (or group body's) signal. */
  readonly signal?: AbortSignal;
}

/**
 * Resolves after `ms` milliseconds (zero or negative: on the next timer tick). Rejects with the
 * signal's reason (a {@link CancelledError} for task signals) as soon as the current task is
 * cancelled. The task shows as `waiting on sleep 1000 ms` meanwhile.
 *
 * @example
 * ```ts
 * import { run, sleep } from 'tasktree';
 * await run(async () => { await sleep(10); });
 * ```
 */
export function sleep(ms: number, options?: SleepOptions): Promise<void> {
  const api = 'sleep(ms, options)';
  checkMs(api, 'ms', ms);
  checkOptions(api, options);
  const scope = storage.getStore();
  const signal = options?.signal !== undefined ? checkSignal(api, options.signal) : scope?.signal;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const task = taskOfScope(scope);
  const since = task === undefined ? 0 : beginWait(task, ms);
  return new Promise<void>((resolve, reject) => {
    const done = (): void => {
      if (task !== undefined) endWait(task, since, ms);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      clearTimeout(timer);
      done();
      reject((signal as AbortSignal).reason);
    };
    const end = ms > MAX_TIMER_MS ? now() + ms : 0;
    const onTimer = (): void => {
      // Longer than one Node timer can wait (24.8 days): wait again for the rest.
      const left = end - now();
      if (left > 0) timer = setTimeout(onTimer, Math.min(left, MAX_TIMER_MS));
      else {
        done();
        resolve();
      }
    };
    let timer = setTimeout(onTimer, Math.min(Math.max(0, ms), MAX_TIMER_MS));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
