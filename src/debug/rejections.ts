import { inspect } from 'node:util';
import { describeError } from '../core/internal.js';
import { indentFrames, userFrames } from './frames.js';
import { creator, describeCreation, promiseOrigin } from './promises.js';
import { printWarning, report } from './report.js';

// Debug mode listens to 'unhandledRejection' to name the task that created the promise. A
// listener changes what Node does (with one, Node neither crashes nor warns), so this one does
// what Node would have done without it, unless the user chose `unhandledRejections: 'report'` or
// has listeners of their own (then those decide):
// - `--unhandled-rejections=throw` (the default): report synchronously, then throw the reason as
//   an uncaught exception (non-errors wrapped like Node does): the process prints it and exits 1.
// - `warn-with-error-code`: report, and set `process.exitCode = 1`.
// - `warn`, `none`: report (Node warns by itself in `warn` mode).
// - `strict`: Node has already raised it as an uncaught exception; we see it only if that was
//   handled: report.

type Mode = 'throw' | 'strict' | 'warn' | 'none' | 'warn-with-error-code';

let crashLikeNode = true;

/** Node's `--unhandled-rejections` mode, from the command line or NODE_OPTIONS. */
export function unhandledRejectionsMode(): Mode {
  const args = [...process.execArgv, ...(process.env['NODE_OPTIONS'] ?? '').split(/\s+/)];
  let mode: Mode = 'throw';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const value = arg.startsWith('--unhandled-rejections=') ? arg.slice(23) : arg === '--unhandled-rejections' ? args[i + 1] : undefined;
    if (value === 'throw' || value === 'strict' || value === 'warn' || value === 'none' || value === 'warn-with-error-code') mode = value;
  }
  return mode;
}

function asError(reason: unknown): unknown {
  if (reason instanceof Error) return reason;
  const error = new Error(
    'This error originated either by throwing inside of an async function without a catch block, or by rejecting a ' +
      `promise which was not handled with .catch(). The promise rejected with the reason "${inspect(reason)}".`,
  );
  error.name = 'UnhandledPromiseRejection';
  (error as NodeJS.ErrnoException).code = 'ERR_UNHANDLED_REJECTION';
  return error;
}

function onUnhandledRejection(reason: unknown, promise: Promise<unknown>): void {
  const alone = process.listenerCount('unhandledRejection') === 1;
  const mode = unhandledRejectionsMode();
  const crash = alone && crashLikeNode && mode === 'throw';
  const origin = promiseOrigin(promise);
  if (origin !== undefined) {
    const frames = userFrames(origin.site);
    const kind = origin.site === undefined ? null : creator(origin.site);
    const from = kind === null ? '' : ` (rejected: ${describeCreation(kind, frames)})`;
    report(
      {
        kind: 'unhandled-rejection',
        message: `unhandled rejection in task ${origin.task.path}: ${describeError(reason)}${from}${indentFrames(frames)}`,
        task: origin.task.path,
        taskId: origin.task.id,
        reason,
        createdAt: frames.length === 0 ? null : frames,
      },
      crash,
    );
  }
  if (!alone || !crashLikeNode) return;
  if (mode === 'throw') throw asError(reason); // tasktree debug mode re-raises the unhandled rejection, as Node does
  if (mode === 'warn-with-error-code') {
    if (origin === undefined) printWarning(`unhandled rejection: ${describeError(reason)}`, 'TASKTREE_UNHANDLED_REJECTION', false);
    process.exitCode = 1;
  }
}

/** Installs the listener. `node`: keep Node's outcome; `report`: only report. */
export function installRejectionListener(outcome: 'node' | 'report'): void {
  crashLikeNode = outcome === 'node';
  if (!process.listeners('unhandledRejection').includes(onUnhandledRejection)) process.on('unhandledRejection', onUnhandledRejection);
}

export function removeRejectionListener(): void {
  process.off('unhandledRejection', onUnhandledRejection);
}
