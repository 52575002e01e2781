import { writeSync } from 'node:fs';
import { inspect } from 'node:util';
import { CancelledError, requested } from './errors.js';
import { liveTasks } from './registry.js';
import { cancelTask } from './cancel.js';
import type { Task } from './task.js';
import { now } from './time.js';

// SIGINT/SIGTERM while `run()` runs: the first cancels the root task gracefully, and says so on
// stderr; a second exits at once. By default, once every task has settled, the run ends the
// process the way a person expects of Ctrl-C — one line, exit code 130 / 143, no stack trace —
// whether or not main caught the cancellation. With `exitOnSignal: false`, run() settles as usual
// and the program decides.

const EXIT_CODES: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };
/** After the first signal, a run that has not settled says what it waits for: first after this long, */
const STILL_WAITING_FIRST_MS = 3_000;
/** then this often. */
const STILL_WAITING_EVERY_MS = 30_000;

/** Runs cancelled by a signal that will exit the process once they settle: the last one exits. */
let exitingRuns = 0;

/** One run's signal handling. */
export interface SignalWatch {
  /** The signal that cancelled the run, when the run is to end the process for it. */
  readonly exitSignal: NodeJS.Signals | undefined;
  /** Removes the handlers (when the run ends). */
  remove(): void;
  /**
   * The run was cancelled by a signal and has settled: writes the closing line (and `failure`, a
   * real error of the cleanup, if any) and exits the process with the signal's code.
   */
  exit(failure: { error: unknown } | undefined): Promise<never>;
}

/** Installs the SIGINT/SIGTERM handlers of the run whose root task is `root`. */
export function watchSignals(root: Task, exitOnSignal: boolean): SignalWatch {
  let first: NodeJS.Signals | undefined;
  let at = 0;
  let count = 0;
  let reminder: NodeJS.Timeout | undefined;
  const stopReminder = (): void => {
    if (reminder !== undefined) clearTimeout(reminder);
    reminder = undefined;
  };
  // A cleanup that never ends (a task ignoring its signal) is the process that will not exit: say
  // which tasks hold it, and how to see where they are.
  const remind = (signal: NodeJS.Signals, delay: number): void => {
    reminder = setTimeout(() => {
      write(`tasktree: ${signal} ${formatSeconds(now() - at)} ago — ${stillWaiting(root, signal)}`);
      remind(signal, STILL_WAITING_EVERY_MS);
    }, delay);
    reminder.unref();
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (first !== undefined) {
      const what = signal === first ? `second ${signal}` : `${signal} after ${first}`;
      const running = stillRunning(root);
      write(`tasktree: ${what} — exiting at once${running === '' ? '' : `; still running: ${running}`}`);
      process.exit(EXIT_CODES[signal] ?? 1);
    }
    first = signal;
    at = now();
    count = tasksOf(root).length;
    if (exitOnSignal) {
      exitingRuns++;
      write(`tasktree: ${signal} — cancelling ${root.name} (a second ${signal} exits at once)`);
      remind(signal, STILL_WAITING_FIRST_MS);
    }
    cancelTask(root, requested(new CancelledError({ kind: 'signal', reason: signal }), { via: 'run' }));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    get exitSignal() {
      return exitOnSignal ? first : undefined;
    },
    remove() {
      stopReminder();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
    exit(failure) {
      stopReminder();
      const signal = first as NodeJS.Signals;
      const ms = now() - at;
      const tasks = count === 1 ? '1 task finished its cleanup' : `${count} tasks finished their cleanup`;
      const line = `tasktree: ${signal} — cancelled ${root.name}, ${tasks} in ${ms} ms`;
      write(failure === undefined ? line : `${line}, with an error:\n${show(failure.error)}`);
      // Another run cancelled by the signal is still cleaning up: the last to settle exits.
      if (--exitingRuns > 0) return new Promise<never>(() => {});
      process.exit(EXIT_CODES[signal] ?? 1);
    },
  };
}

/** The live tasks of the run (the root and every task under it). */
function tasksOf(root: Task): Task[] {
  return liveTasks().filter((task) => {
    let top = task;
    while (top.parent !== undefined) top = top.parent;
    return top === root;
  });
}

/** The run's live tasks that are not only waiting for their children. */
function leavesOf(root: Task): Task[] {
  const tasks = tasksOf(root);
  const parents = new Set(tasks.map((task) => task.parent));
  return tasks.filter((task) => !parents.has(task));
}

/** `main › a, main › b and 3 more`. */
function listPaths(tasks: readonly Task[]): string {
  const paths = tasks.map((task) => task.path);
  return paths.length <= 3 ? paths.join(', ') : `${paths.slice(0, 3).join(', ')} and ${paths.length - 3} more`;
}

function stillRunning(root: Task): string {
  return listPaths(leavesOf(root));
}

/**
 * `still waiting for main › stubborn to end (tasktree where 4242 Ab3xYz.2 shows where it is; a
 * second SIGINT exits at once)`, or for several tasks, with `tasktree pstree PID --stacks`.
 */
function stillWaiting(root: Task, signal: NodeJS.Signals): string {
  const leaves = leavesOf(root);
  const one = leaves.length === 1 ? (leaves[0] as Task) : undefined;
  const what = one !== undefined ? one.path : `${leaves.length} tasks: ${listPaths(leaves)}`;
  const look = one !== undefined ? `tasktree where ${process.pid} ${one.id} shows where it is` : `tasktree pstree ${process.pid} --stacks shows where they are`;
  return `still waiting for ${what} to end (${look}; a second ${signal} exits at once)`;
}

/** `3 s`, `1 min 2 s`. */
function formatSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

function show(error: unknown): string {
  try {
    return inspect(error);
  } catch {
    return String(error);
  }
}

/** Straight to stderr: the process may exit right after. */
function write(line: string): void {
  try {
    writeSync(2, `${line}\n`);
  } catch {
    // stderr closed: nothing to tell
  }
}
