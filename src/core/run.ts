import { anchorAtCaller } from './errors.js';
import { runHooks, type RunHookSession } from './hooks.js';
import { watchSignals, type SignalWatch } from './run-signals.js';
import type { TaskFunction } from './task.js';
import { TaskGroup } from './task-group.js';
import { groupExtraOf } from './group-state.js';
import { FULFILLED, REJECTED, STATE } from './task-state.js';
import { checkBoolean, checkFunction, checkName, checkOptions } from './validate.js';

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
   * `signal`), a second one exits at once (code 130 / 143). Default `true`; `false` leaves them to
   * Node (the process ends at once, no cleanup runs). The handlers are installed once the run is
   * still going at the end of its first drain of microtasks (before the event loop can deliver a
   * signal): a run that ends sooner leaves the process's signal handling alone.
   */
  readonly handleSignals?: boolean;
  /**
   * What a run cancelled by SIGINT/SIGTERM ends with. Default `true`: once every task has settled,
   * `run()` writes one line to stderr and exits the process with 130 (SIGINT) or 143 (SIGTERM) —
   * whether main caught the cancellation or not; code after `await run()` does not run. `false`:
   * the program handles it — `run()` writes nothing and settles as any run does (it rejects with
   * the `CancelledError`, `reason` `{ kind: 'signal', reason: 'SIGINT' }`, unless main caught it),
   * and the exit code is the program's. A second signal exits at once either way.
   */
  readonly exitOnSignal?: boolean;
  /**
   * The flight recorder for this run: switched on while it runs (unless it is on already), and if
   * an uncaught exception ends the process meanwhile, the recording is written to this file —
   * `true`: `tasktree-PID-DATE-TIME.recording.json` in the working directory — and its path
   * printed on stderr; open it with `tasktree ui --open FILE`. Default `false`. Takes effect
   * when `tasktree/inspect` is loaded (the `tasktree` entry loads it).
   */
  readonly crashRecording?: boolean | string;
}

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
  const handleSignals = checkBoolean(api, 'handleSignals', options?.handleSignals, true);
  const exitOnSignal = checkBoolean(api, 'exitOnSignal', options?.exitOnSignal, true);
  const group = new TaskGroup(name);
  groupExtraOf(group).runGroup = true;
  // Hooks run before the root task is spawned (debug mode records its creation site).
  const sessions: RunHookSession[] = [];
  for (const hook of runHooks) {
    const session = hook({ debug: options?.debug, dumpSignal: options?.dumpSignal, crashRecording: options?.crashRecording });
    if (session !== undefined) sessions.push(typeof session === 'function' ? { end: session } : session);
  }
  // A hook may hold main back until it is ready (debug mode: until its watchdog watches).
  let ready: Promise<unknown>[] | undefined;
  for (const session of sessions) if (session.ready !== undefined) (ready ??= []).push(session.ready);
  const gate = ready;
  const gated: TaskFunction<T> = async (task) => {
    await Promise.all(gate as Promise<unknown>[]);
    return main(task);
  };
  const root = group.spawn(name, gate === undefined ? main : gated);
  for (const session of sessions) session.started?.(root);

  // Process-wide handlers (SIGINT and SIGTERM here, the dump signal in the inspection layer) are
  // installed once run() is still running at the end of its first drain of microtasks: signals
  // reach JavaScript only between event-loop callbacks, so they are in place before any can be
  // handled, and a run() that ends sooner never touches the process's signal handling (installing
  // and removing three handlers costs ≈11 µs; removed while a signal is pending, they would also
  // swallow it). A signal that arrives before gets Node's default, as between two runs.
  let ended = false;
  let hookError: { error: unknown } | undefined;
  let signals: SignalWatch | undefined;
  const cleanups: (() => void)[] = [];
  process.nextTick(() => {
    if (ended) return;
    if (handleSignals) {
      const watch = (signals = watchSignals(root, exitOnSignal));
      cleanups.push(() => watch.remove());
    }
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
  // Cancelled by SIGINT/SIGTERM: the run ends the process (one line, 130 / 143), unless the
  // program opted out. A real error of the cleanup is printed, never lost.
  if (signals?.exitSignal !== undefined) {
    const failure = (root._state & STATE) === REJECTED ? { error: root._slot } : (root._state & STATE) === FULFILLED ? hookError : undefined;
    if (failure !== undefined) anchorAtCaller(failure.error, run);
    return signals.exit(failure);
  }
  if ((root._state & STATE) !== FULFILLED) {
    anchorAtCaller(root._slot, run);
    throw root._slot;
  }
  if (hookError !== undefined) {
    anchorAtCaller(hookError.error, run, true);
    throw hookError.error;
  }
  return root._slot as T;
}

