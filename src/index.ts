/**
 * tasktree — structured concurrency with named, inspectable tasks.
 *
 * The architecture, once:
 * - `core/` is the library: Task, TaskGroup, spawn, run, the one AsyncLocalStorage (context),
 *   the registry (the live task tree plus a bounded history), events and errors. It imports
 *   nothing from the other layers; they reach it through `core/internal.ts` and `core/hooks.ts`.
 * - `inspect/` (entry `tasktree/inspect`) reads the core: snapshots, call graphs, renderers,
 *   the dump signal, the monitor socket, and the agent the CLI talks to.
 * - `debug/` (entry `tasktree/debug`) adds creation and await sites, the blocked-loop watchdog
 *   and leak reports through the core's hooks.
 * - `testing/` (entry `tasktree/testing`) has helpers for node:test and Vitest.
 * - `cli/` is the `tasktree` binary: `ps`, `pstree`, `where`, `cancel`, `watch`, `record` and `ui`
 *   against a PID (and `ui --open` for a recording).
 *
 * This entry re-exports the core, and wires the operations tooling every process gets by loading
 * tasktree: the agent the CLI reads through Node's inspector, `run()`'s dump signal and crash recording, the
 * monitor socket when `TASKTREE_MONITOR=1`, and debug mode (`run(main, { debug: true })`, or the
 * whole process when `TASKTREE_DEBUG=1` or `strict`).
 */
// The published types use Node's (NodeJS.Signals, AbortSignal): they say so, for compilers whose
// default `types` is empty (TypeScript 7). A TypeScript project installs @types/node.
/// <reference types="node" preserve="true" />
import { enableDebugFromEnv } from './debug/enable.js';
import { addDebugRunHook } from './debug/run-hook.js';
import { installAgent } from './inspect/agent.js';
import { registerCopy } from './inspect/copies.js';
import { addCrashRecordingRunHook } from './inspect/crash-recording.js';
import { startMonitorFromEnv } from './inspect/monitor.js';
import { addDumpSignalRunHook } from './inspect/run-hook.js';

export * from './core/index.js';

registerCopy();
installAgent();
addDumpSignalRunHook();
addCrashRecordingRunHook();
startMonitorFromEnv();
addDebugRunHook();
enableDebugFromEnv();
