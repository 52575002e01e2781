import { writeSync } from 'node:fs';
import { checkNoLeaks, snapshotLiveTasks, treeText } from './leaks.js';

/** Options of {@link withTaskTracking} and the test-runner set-up modules. */
export interface TaskTrackingOptions {
  /**
   * Print the task tree to stderr when a test is still running after this many milliseconds
   * (a hang); `0` for never. Default `10000`, or `TASKTREE_HANG_MS` from the environment.
   */
  readonly hangMs?: number;
  /** How long tasks may take to settle after the test. Default `100` ms. */
  readonly graceMs?: number;
  /** Cancel tasks the test left behind. Default `true`. */
  readonly cancel?: boolean;
  /** Where the tree goes. Default: synchronously to stderr. */
  readonly print?: (text: string) => void;
}

/** @internal */
export function defaultHangMs(): number {
  const env = Number(process.env['TASKTREE_HANG_MS']);
  return Number.isFinite(env) && env >= 0 ? env : 10_000;
}

/** @internal Writes to stderr synchronously, so the tree is out even if the runner kills the process next. */
export function printToStderr(text: string): void {
  const buffer = Buffer.from(text.endsWith('\n') ? text : `${text}\n`);
  let offset = 0;
  for (let tries = 0; offset < buffer.length && tries < 1000; tries++) {
    try {
      offset += writeSync(2, buffer, offset);
    } catch {
      // EAGAIN on a full pipe: try again
    }
  }
}

/** @internal One tracked test: what was alive when it began, and its hang timer. */
export interface Tracked {
  readonly before: WeakSet<import('../core/index.js').Task>;
  readonly timer: NodeJS.Timeout | undefined;
}

/** @internal Starts tracking a test named `name`. */
export function beginTracking(name: string, options: TaskTrackingOptions | undefined): Tracked {
  const hangMs = options?.hangMs ?? defaultHangMs();
  const print = options?.print ?? printToStderr;
  let timer: NodeJS.Timeout | undefined;
  if (hangMs > 0 && Number.isFinite(hangMs)) {
    timer = setTimeout(() => print(treeText(`tasktree: test "${name}" is still running after ${hangMs} ms; the task tree:`)), hangMs);
    timer.unref();
  }
  return { before: snapshotLiveTasks(), timer };
}

/**
 * @internal Ends tracking: prints the tree if the test timed out (`timedOut`), then fails with a
 * TaskLeakError if it left tasks running.
 */
export async function endTracking(name: string, tracked: Tracked, timedOut: boolean, options: TaskTrackingOptions | undefined): Promise<void> {
  if (tracked.timer !== undefined) clearTimeout(tracked.timer);
  if (timedOut) (options?.print ?? printToStderr)(treeText(`tasktree: test "${name}" timed out or was cancelled; the task tree:`));
  await checkNoLeaks({
    ignore: tracked.before,
    what: `test "${name}"`,
    ...(options?.graceMs === undefined ? {} : { graceMs: options.graceMs }),
    ...(options?.cancel === undefined ? {} : { cancel: options.cancel }),
  });
}

/**
 * Wraps a test function: while it runs, a hang timer prints the task tree after `hangMs`; when it
 * ends, the test fails with a {@link TaskLeakError} if it left tasks running (they are cancelled).
 * Works with any runner.
 *
 * @example
 * ```ts
 * import { test } from 'node:test';
 * import { run, sleep, spawn } from 'tasktree';
 * import { withTaskTracking } from 'tasktree/testing';
 * test('serves a request', withTaskTracking(async () => {
 *   await run(async () => {
 *     spawn('handler', () => sleep(5));
 *   });
 * }, { hangMs: 5000 }));
 * ```
 */
export function withTaskTracking<A extends unknown[], R>(
  fn: (...args: A) => R | PromiseLike<R>,
  options?: TaskTrackingOptions & { readonly name?: string },
): (...args: A) => Promise<R> {
  const name = options?.name ?? (fn.name || 'anonymous');
  return async function tracked(this: unknown, ...args: A): Promise<R> {
    const tracking = beginTracking(name, options);
    let result: R;
    try {
      result = await fn.apply(this, args);
    } catch (error) {
      // The test's own error wins; tasks it left are still cancelled and named on stderr.
      await endTracking(name, tracking, false, options).catch((leak: unknown) => (options?.print ?? printToStderr)(String(leak)));
      throw error;
    }
    await endTracking(name, tracking, false, options);
    return result;
  };
}
