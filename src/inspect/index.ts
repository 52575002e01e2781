// tasktree/inspect: reads the core's registry and renders it. Data first (captureSnapshot,
// captureCallGraph, and the flight recorder's Recording: what every task did), pure functions of
// it (filterSnapshot; the renderers formatTree, formatTable, formatCallGraph, formatTaskDetail),
// then the thin I/O: printCallGraph, the dump signal, the monitor socket.
// The published types use Node's (NodeJS.Signals, AbortSignal): they say so, for compilers whose
// default `types` is empty (TypeScript 7). A TypeScript project installs @types/node.
/// <reference types="node" preserve="true" />
export type {
  Snapshot,
  TaskInfo,
  FinishedInfo,
  WaitInfo,
  CancelInfo,
  CancelOrigin,
  CancelSource,
  StacksInfo,
  StackFrame,
  StackCombinator,
  StackReason,
} from './schema.js';
export { captureSnapshot, type SnapshotOptions } from './snapshot.js';
export { startRecording, stopRecording, readRecording, isRecording, type RecordingOptions } from './recorder.js';
export type { Recording, RecordedEvent, RecordedEventBase, RecordedEventType, RecordedTask, RecordedWait, InitialTask } from './recording-schema.js';
export { StacksRefusedError, type StacksOptions } from './stacks/capture.js';
export {
  captureCallGraph,
  formatCallGraph,
  printCallGraph,
  type CallGraph,
  type CallGraphOptions,
  type CallGraphStacksOptions,
  type PrintCallGraphOptions,
} from './call-graph.js';
export { filterSnapshot, liveState, LIVE_STATES, type LiveState, type TaskFilter } from './filter.js';
export { formatTree, type FormatTreeOptions } from './format-tree.js';
export { formatTable, type FormatTableOptions } from './format-table.js';
export { formatTaskDetail } from './format-detail.js';
export { formatDuration } from './describe.js';
export { installDumpSignal, type DumpSignalOptions } from './dump-signal.js';
export { startMonitor, type Monitor, type MonitorOptions } from './monitor.js';
