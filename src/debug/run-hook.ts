import type { Task } from '../core/index.js';
import { liveTasks, runHooks } from '../core/internal.js';
import { consumeReports, debugOptions, isDebugEnabled, releaseForRun, retainForRun } from './enable.js';
import { describeLiveTasks, leakReport } from './leaks.js';
import { report, reportCount, reportsSince } from './report.js';
import { DebugStrictError } from './strict-error.js';
import { watchdogWatching } from './watchdog.js';

// run() and debug mode: `run(main, { debug: true })` switches debug mode on for the run (before
// the main task is spawned, so its creation site is recorded); while debug mode is on, the end of
// every run reports the tasks it started that are still alive, and strict mode fails the run.

const activeRoots = new Set<Task>();
let added = false;

function underActiveRun(task: Task): boolean {
  let top = task;
  while (top.parent !== undefined) top = top.parent;
  return activeRoots.has(top);
}

/** @internal Adds the hook (done when `tasktree` is imported). */
export function addDebugRunHook(): void {
  if (added) return;
  added = true;
  runHooks.push((options) => {
    const switchedOn = options.debug === true && retainForRun();
    if (!isDebugEnabled()) return undefined;
    const before = new WeakSet<Task>(liveTasks());
    const mark = reportCount();
    return {
      // Main starts once the blocked-loop watchdog watches, so a block at its very start is
      // attributed too (its thread takes ≈30 ms to start, far longer on a loaded machine).
      ready: watchdogWatching(),
      started(root) {
        activeRoots.add(root);
      },
      end(root) {
        activeRoots.delete(root);
        try {
          const leaked = describeLiveTasks((task) => !before.has(task) && !underActiveRun(task));
          if (leaked.length > 0) report(leakReport(leaked, 'run-end', root.name));
          const reports = reportsSince(mark);
          if (debugOptions()?.strict === true && reports.length > 0 && root.state === 'fulfilled') {
            consumeReports(reports);
            throw new DebugStrictError(reports, `run '${root.name}'`);
          }
        } finally {
          if (switchedOn) releaseForRun();
        }
      },
    };
  });
}
