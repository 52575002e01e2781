import { CancelledError } from './errors.js';
import { runHooks, type RunHookSession } from './hooks.js';
import { cancelTask } from './cancel.js';
import type { Task, TaskFunction } from './task.js';
import { TaskGroup } from './task-group.js';
import { FULFILLED } from './task-state.js';
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
  /**
   * The signal that dumps the task tree to stderr; `false` for none. Default `SIGUSR2`. Like
   * SIGINT/SIGTERM below, it is handled from the end of the run's first drain of microtasks on.
   */
  readonly dumpSignal?: NodeJS.Signals | false;
  /**
   * Handle SIGINT and SIGTERM while running: the first cancels the root task gracefully (reason
   * `signal`), a second one exits at once (code 130 / 143). Default `true`. The handlers are
   * installed once the run is still going at the end of its first drain of microtasks (before
   * the event loop can deliver a signal): a run that ends sooner leaves the process's signal
   * handling alone.
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

  // Process-wide handlers (SIGINT and SIGTERM here, the dump signal in the inspection layer) are
  // installed once run() is still running at the end of its first drain of microtasks: signals
  // reach JavaScript only between event-loop callbacks, so they are in place before any can be
  // handled, and a run() that ends sooner never touches the process's signal handling (installing
  // and removing three handlers costs ≈11 µs; removed while a signal is pending, they would also
  // swallow it). A signal that arrives before gets Node's default, as between two runs.
  let ended = false;
  let hookError: { error: unknown } | undefined;
  const cleanups: (() => void)[] = [];
  process.nextTick(() => {
    if (ended) return;
    if (options?.handleSignals !== false) cleanups.push(installSignalHandlers(root));
    for (const session of sessions) {
      try {
        const undo = session.running?.(root);
        if (undo !== undefined) cleanups.push(undo);
      } catch (error) {
        hookError ??= { error };
      }
    }
  });
  try {
    await group._close();
  } finally {
    ended = true;
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

/** SIGINT/SIGTERM: the first cancels `root` gracefully, a second exits at once. Returns the undo. */
function installSignalHandlers(root: Task): () => void {
  let received = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (received) process.exit(EXIT_CODES[signal] ?? 1);
    received = true;
    cancelTask(root, new CancelledError({ kind: 'signal', reason: signal }));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
