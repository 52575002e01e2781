// tasktree/debug: debug mode. Creation and await sites of tasks (through the core's hooks), the
// blocked-loop watchdog (a worker thread that asks the blocked main thread, through the
// inspector, which task is running), unhandled rejections and never-awaited promises attributed
// to tasks (v8 promise hooks), leak reports at run() end and process exit, tasks ignoring their
// cancellation, and a strict mode for CI. Off by default, and then it costs nothing.
// The published types use Node's (NodeJS.Signals, AbortSignal): they say so, for compilers whose
// default `types` is empty (TypeScript 7). A TypeScript project installs @types/node.
/// <reference types="node" preserve="true" />
export { enableDebug, disableDebug, isDebugEnabled } from './enable.js';
export { debugEvents, type DebugEventMap } from './events.js';
export type { DebugOptions } from './options.js';
export { DebugStrictError } from './strict-error.js';
export type {
  DebugReport,
  BlockedReport,
  UnhandledRejectionReport,
  NeverAwaitedReport,
  LeakReport,
  LeakedTask,
  IgnoredCancelReport,
  OpenGroupReport,
  Site,
} from './reports.js';
export { debugReports } from './report.js';
