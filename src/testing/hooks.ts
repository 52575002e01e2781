import { beginTracking, endTracking, type TaskTrackingOptions, type Tracked } from './tracking.js';

/** The per-test hooks of a runner, adapted: what {@link installTaskTracking} needs. */
export interface RunnerHooks<C> {
  readonly beforeEach: (fn: (context: C) => void) => unknown;
  readonly afterEach: (fn: (context: C) => Promise<void>) => unknown;
  /** The test's name, for messages. */
  readonly name: (context: C) => string;
  /** Did the test time out or get cancelled (then the tree is printed)? */
  readonly timedOut: (context: C) => boolean;
}

/**
 * Installs leak checks and hang reports around every test through a runner's `beforeEach` and
 * `afterEach`. The `tasktree/testing/node-test` and `tasktree/testing/vitest` modules call it;
 * call it yourself for other options or other runners.
 *
 * @example
 * ```ts
 * // example: no-run (a Vitest setup file)
 * // vitest.setup.ts
 * import { afterEach, beforeEach } from 'vitest';
 * import { installTaskTracking } from 'tasktree/testing';
 * installTaskTracking({
 *   beforeEach, afterEach,
 *   name: (ctx) => ctx.task.name,
 *   timedOut: (ctx) => ctx.task.result?.errors?.some((e) => /timed out/i.test(e.message)) ?? false,
 * }, { hangMs: 3000 });
 * ```
 */
export function installTaskTracking<C extends object>(runner: RunnerHooks<C>, options?: TaskTrackingOptions): void {
  const tracked = new WeakMap<C, Tracked>();
  runner.beforeEach((context) => {
    tracked.set(context, beginTracking(runner.name(context), options));
  });
  runner.afterEach(async (context) => {
    const tracking = tracked.get(context);
    if (tracking === undefined) return;
    tracked.delete(context);
    await endTracking(runner.name(context), tracking, runner.timedOut(context), options);
  });
}
