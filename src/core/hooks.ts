import type { Task } from './task.js';
import type { TaskGroup } from './task-group.js';

/**
 * Extension points the outer layers fill in; the core calls them and never imports those layers.
 * Every hook is `undefined` unless a layer installed it, so an unused hook costs one check.
 */
export const hooks: {
  /** Debug mode: called for every new task, before it is linked (record its creation site). */
  spawn: ((task: Task) => void) | undefined;
  /** Debug mode: called when `waiter` starts awaiting `target` (record the await site). */
  await: ((waiter: Task, target: Task) => void) | undefined;
  /**
   * Debug mode: `task`'s function ended and left `group` (an explicit group it created) open with
   * live tasks; the task waits for them before it settles.
   */
  openGroup: ((task: Task, group: TaskGroup) => void) | undefined;
} = { spawn: undefined, await: undefined, openGroup: undefined };

/** Options of `run()` that outer layers act on. */
export interface RunHookOptions {
  readonly debug: boolean | undefined;
  readonly dumpSignal: NodeJS.Signals | false | undefined;
}

/**
 * What a run hook returns for one `run()`: `started(root)` is called once the root task exists;
 * `running(root)` once `run()` is still running at the end of its first drain of microtasks
 * (install process-wide handlers there: a `run()` that ends sooner never calls it; it may return
 * an undo, called when `run()` ends); `end(root)` when `run()` ends (after every task settled).
 * `running` and `end` may throw: `run()` then rejects with that error if the root task fulfilled
 * (the root task's own error wins otherwise). A bare function is taken as `end`.
 */
export interface RunHookSession {
  started?(root: Task): void;
  running?(root: Task): (() => void) | void;
  end?(root: Task): void;
}

/**
 * Called by `run()` when it starts, *before* it spawns the root task (so a hook that sets
 * `hooks.spawn` sees the root task's creation). The inspection layer installs the dump signal this
 * way, the debug layer its watchdog and end-of-run leak report.
 */
export const runHooks: Array<(options: RunHookOptions) => RunHookSession | (() => void) | undefined> = [];
