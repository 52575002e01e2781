import { liveTasks } from '../core/internal.js';
import { startCancelWatch, stopCancelWatch } from './cancel-watch.js';
import { installAsyncTags, removeAsyncTags } from './async-tags.js';
import { installOpenGroupHook, removeOpenGroupHook } from './open-groups.js';
import { installSiteHooks, removeSiteHooks } from './capture.js';
import { describeLiveTasks, leakReport } from './leaks.js';
import { optionsFromEnv, resolveOptions, type DebugOptions, type ResolvedDebugOptions } from './options.js';
import { startPromiseTracking, stopPromiseTracking } from './promises.js';
import { installRejectionListener, removeRejectionListener } from './rejections.js';
import { report, reportsSince, setPrintWarnings, writeStderr } from './report.js';
import type { DebugReport } from './reports.js';
import { summarizeReports } from './strict-error.js';
import { startWatchdog, stopWatchdog } from './watchdog.js';

let current: ResolvedDebugOptions | undefined;
/** Switched on by enableDebug() or the environment (not only for the length of a run). */
let explicit = false;
/** Runs with `debug: true` that switched it on and have not ended. */
let runRefs = 0;
/** Reports already turned into a DebugStrictError by run(). */
const consumed = new WeakSet<DebugReport>();

/**
 * Switches debug mode on for the whole process (calling it again applies new options):
 * creation and await sites of tasks, the blocked-loop watchdog, unhandled rejections and
 * never-awaited promises attributed to tasks, leak reports at `run()` end and process exit, and
 * reports of tasks ignoring cancellation. Reports go to {@link debugEvents} and, unless
 * `warnings: false`, to stderr as `TaskTreeWarning`s.
 *
 * Each task's function also runs inside `console.createTask(path)`, so a debugger's async call
 * stack names the task. It costs: ≈3.5 µs per spawn and per task-await (a stack capture), the
 * async stack tag per task, a promise hook on every promise of the process, and a watchdog thread. Off (the default), it costs nothing.
 * Also switched on by `TASKTREE_DEBUG=1` (or `strict`) when `tasktree` is imported, and for one
 * run by `run(main, { debug: true })`.
 *
 * @example
 * ```ts
 * import { run, spawn } from 'tasktree';
 * import { disableDebug, enableDebug } from 'tasktree/debug';
 * enableDebug({ slowMs: 50 });
 * await run(async () => {
 *   await spawn('render', () => {
 *     const end = Date.now() + 200;
 *     while (Date.now() < end); // blocks the event loop for 200 ms
 *   });
 *   await new Promise((resolve) => setTimeout(resolve, 50));
 * });
 * // (node:4242) [TASKTREE_BLOCKED] TaskTreeWarning: event loop blocked for 201 ms by task main › render at render.ts:6
 * disableDebug();
 * ```
 */
export function enableDebug(options?: DebugOptions): void {
  const resolved = resolveOptions('enableDebug(options)', options);
  explicit = true;
  start(resolved);
}

/**
 * Switches debug mode off: removes the hooks, stops the watchdog thread and the promise hook,
 * removes the process listeners. Sites already recorded stay on their tasks.
 */
export function disableDebug(): void {
  explicit = false;
  runRefs = 0;
  stop();
}

/** Is debug mode on? */
export function isDebugEnabled(): boolean {
  return current !== undefined;
}

/** @internal The options in force, while debug mode is on. */
export function debugOptions(): ResolvedDebugOptions | undefined {
  return current;
}

/** @internal Switches debug mode on from `TASKTREE_DEBUG` (done when `tasktree` is imported). */
export function enableDebugFromEnv(): void {
  const options = optionsFromEnv(process.env['TASKTREE_DEBUG']);
  if (options !== undefined && current === undefined) enableDebug(options);
}

/** @internal A `run(main, { debug: true })` starts: on (with defaults) unless already on. Returns whether it switched it on. */
export function retainForRun(): boolean {
  if (current !== undefined) return false;
  runRefs++;
  start(resolveOptions('run(main, options)', undefined));
  return true;
}

/** @internal That run ended. */
export function releaseForRun(): void {
  if (runRefs > 0 && --runRefs === 0 && !explicit) stop();
}

/** @internal Reports the strict-mode failure of a run has consumed (they do not fail the exit again). */
export function consumeReports(reports: readonly DebugReport[]): void {
  for (const r of reports) consumed.add(r);
}

function start(options: ResolvedDebugOptions): void {
  stop();
  current = options;
  setPrintWarnings(options.warnings);
  installSiteHooks(options.stackDepth);
  installAsyncTags();
  if (options.promises) {
    startPromiseTracking();
    installRejectionListener(options.unhandledRejections);
  }
  startCancelWatch(options.ignoredCancelMs);
  installOpenGroupHook();
  if (options.watchdog) startWatchdog(options.slowMs, options.warnings);
  process.on('exit', onExit);
}

function stop(): void {
  if (current === undefined) return;
  current = undefined;
  removeSiteHooks();
  removeAsyncTags();
  stopPromiseTracking();
  removeRejectionListener();
  stopCancelWatch();
  removeOpenGroupHook();
  stopWatchdog();
  process.off('exit', onExit);
}

function onExit(code: number): void {
  const options = current;
  if (options === undefined) return;
  stopWatchdog();
  if (liveTasks().length > 0) report(leakReport(describeLiveTasks(() => true), 'exit'), true);
  if (!options.strict) return;
  const pending = reportsSince(0).filter((r) => !consumed.has(r));
  if (pending.length === 0) return;
  if (code === 0) process.exitCode = 1;
  const count = pending.length === 1 ? '1 debug report' : `${pending.length} debug reports`;
  writeStderr(`tasktree strict debug mode: ${count}; exit code ${code === 0 ? 1 : code}\n${summarizeReports(pending)}\n`);
}

