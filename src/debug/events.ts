import { EventEmitter } from 'eventemitter3';
import type { BlockedReport, IgnoredCancelReport, LeakReport, NeverAwaitedReport, OpenGroupReport, UnhandledRejectionReport } from './reports.js';

/** The events of {@link debugEvents}, with their listener signatures. */
export interface DebugEventMap {
  blocked: [report: BlockedReport];
  'unhandled-rejection': [report: UnhandledRejectionReport];
  'never-awaited': [report: NeverAwaitedReport];
  leak: [report: LeakReport];
  'ignored-cancel': [report: IgnoredCancelReport];
  'open-group': [report: OpenGroupReport];
}

/**
 * Every debug-mode report, as it happens: `blocked`, `unhandled-rejection`, `never-awaited`,
 * `leak`, `ignored-cancel`, `open-group`. Listeners run synchronously (a `leak` at process exit, too). By
 * default each report is also printed to stderr as a `TaskTreeWarning`; pass
 * `enableDebug({ warnings: false })` to only get the events.
 *
 * @example
 * ```ts
 * import { debugEvents, enableDebug } from 'tasktree/debug';
 * enableDebug({ warnings: false });
 * debugEvents.on('blocked', (report) => console.log(`loop blocked ${report.durationMs} ms by ${report.task ?? 'no task'}`));
 * ```
 */
export const debugEvents = new EventEmitter<DebugEventMap>();
