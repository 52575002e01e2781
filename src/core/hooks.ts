import type { Task } from './task.js';

/**
 * Extension points the outer layers fill in; the core calls them and never imports those layers.
 * Every hook is `undefined` unless a layer installed it, so an unused hook costs one check.
 */
export const hooks: {
  /** Debug mode: called for every new task, before it is linked (record its creation site). */
  spawn: ((task: Task) => void) | undefined;
  /** Debug mode: called when `waiter` starts awaiting `target` (record the await site). */
  await: ((waiter: Task, target: Task) => void) | undefined;
} = { spawn: undefined, await: undefined };

/** Options of `run()` that outer layers act on. */
export interface RunHookOptions {
  readonly debug: boolean | undefined;
  readonly dumpSignal: NodeJS.Signals | false | undefined;
}

/**
 * Called by `run()` when it starts, with the root task; each may return a function that `run()`
 * calls when it ends (e.g. to remove a signal handler). The inspection layer installs the dump
 * signal this way, the debug layer its watchdog.
 */
export const runHooks: Array<(root: Task, options: RunHookOptions) => (() => void) | undefined> = [];
