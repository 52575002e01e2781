import { runHooks } from '../core/internal.js';
import { checkDumpSignal, installDumpSignal } from './dump-signal.js';

let added = false;

/** @internal Makes `run()` install the dump signal (unless `dumpSignal: false`). */
export function addDumpSignalRunHook(): void {
  if (added) return;
  added = true;
  runHooks.push((options) => {
    if (options.dumpSignal === false) return undefined;
    const signal = options.dumpSignal ?? 'SIGUSR2';
    checkDumpSignal('run(main, options): dumpSignal', signal);
    // Installed, like run()'s own signal handlers, once the run outlasts its first microtasks.
    return { running: () => installDumpSignal(signal) };
  });
}
