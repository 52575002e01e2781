// tasktree/testing: helpers for node:test and Vitest. A test that leaves tasks running fails and
// names them; a test that hangs or times out prints the task tree. Set-up modules for each runner:
// `tasktree/testing/node-test` (node --import) and `tasktree/testing/vitest` (setupFiles).
// The published types use Node's (NodeJS.Signals, AbortSignal): they say so, for compilers whose
// default `types` is empty (TypeScript 7). A TypeScript project installs @types/node.
/// <reference types="node" preserve="true" />
export { checkNoLeaks, snapshotLiveTasks, TaskLeakError, type CheckNoLeaksOptions } from './leaks.js';
export { withTaskTracking, type TaskTrackingOptions } from './tracking.js';
export { installTaskTracking, type RunnerHooks } from './hooks.js';
