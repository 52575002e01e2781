import { runHooks } from '../core/internal.js';
import { installDumpSignal } from './dump-signal.js';

let added = false;

/** @internal Makes `run()` install the dump signal (unless `dumpSignal: false`). */
export function addDumpSignalRunHook(): void {
  if (added) return;
  added = true;
  runHooks.push((options) => (options.dumpSignal === false ? undefined : installDumpSignal(options.dumpSignal ?? 'SIGUSR2')));
}
