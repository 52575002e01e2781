import type { Task, TaskFunction } from './task.js';
import type { TaskGroup } from './task-group.js';

/**
 * Extension points the outer layers fill in; the core calls them and never imports those layers.
 * Every hook is `undefined` unless a layer installed it, so an unused hook costs one check.
 */
export const hooks: {
  /** Debug mode: called for every new task, before it is linked (record its creation site). */
  spawn: ((task: Task) => void) | undefined;
  /**
   * Debug mode: called when `waiter` starts awaiting `target` (record the await site): a task
   * (`await task`, `task.result()`), or a group (a blocked `group.whenBelow(n)`).
   */
  await: ((waiter: Task, target: Task | TaskGroup) => void) | undefined;
  /**
   * Debug mode: calls a task's function, `fn(task)`, and returns what it returns — so that it can
   * run the function inside something of its own (V8's async stack tagging).
   */
  call: ((task: Task, fn: TaskFunction<unknown>) => unknown) | undefined;
} = { spawn: undefined, await: undefined, call: undefined };

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
