import { CancelledError } from './errors.js';
import { runHooks, type RunHookSession } from './hooks.js';
import { FULFILLED, type TaskFunction } from './task.js';
import { TaskGroup, cancelTask } from './task-group.js';
import { checkFunction, checkName, checkOptions } from './validate.js';

/** Options of {@link run}. */
export interface RunOptions {
  /** The root task's name. Default `main`. */
  readonly name?: string;
  /**
   * Debug mode for this run (creation and await sites, blocked-loop watchdog, leak reports).
   * Takes effect when `tasktree/debug` is loaded (the `tasktree` entry loads it).
   */
  readonly debug?: boolean;
  /** The signal that dumps the task tree to stderr; `false` for none. Default `SIGUSR2`. */
  readonly dumpSignal?: NodeJS.Signals | false;
  /**
   * Handle SIGINT and SIGTERM while running: the first cancels the root task gracefully (reason
   * `signal`), a second one exits at once (code 130 / 143). Default `true`.
   */
  readonly handleSignals?: boolean;
}

const EXIT_CODES: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * The entry point, like Python's `asyncio.run`: runs `main(task)` as the root task, waits for
 * every task spawned inside it, and returns its value (or throws its error).
 *
 * @example
 * ```ts
 * import { run, spawn } from 'tasktree';
 * const total = await run(async () => {
 *   const a = spawn('a', async () => 1);
 *   const b = spawn('b', async () => 2);
 *   return (await a) + (await b);
 * });
 * console.log(total); // 3
 * ```
 */
export async function run<T>(main: TaskFunction<T>, options?: RunOptions): Promise<T> {
  const api = 'run(main, options)';
  checkFunction(api, 'main', main);
  checkOptions(api, options);
  const name = options?.name === undefined ? 'main' : checkName(api, options.name);
  const group = new TaskGroup(name);
  // Hooks run before the root task is spawned (debug mode records its creation site).
  const sessions: RunHookSession[] = [];
  for (const hook of runHooks) {
    const session = hook({ debug: options?.debug, dumpSignal: options?.dumpSignal });
    if (session !== undefined) sessions.push(typeof session === 'function' ? { end: session } : session);
  }
  const root = group.spawn(name, main);
  for (const session of sessions) session.started?.(root);

  const cleanups: (() => void)[] = [];
  if (options?.handleSignals !== false) {
    let received = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (received) process.exit(EXIT_CODES[signal] ?? 1);
      received = true;
      cancelTask(root, new CancelledError({ kind: 'signal', reason: signal }));
    };
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.on(signal, onSignal);
      cleanups.push(() => process.off(signal, onSignal));
    }
  }
  let hookError: { error: unknown } | undefined;
  try {
    await group._close();
  } finally {
    for (const cleanup of cleanups.reverse()) cleanup();
    for (const session of sessions.reverse()) {
      try {
        session.end?.(root);
      } catch (error) {
        hookError ??= { error };
      }
    }
  }
  if (root._state !== FULFILLED) throw root._slot;
  if (hookError !== undefined) throw hookError.error;
  return root._slot as T;
}
