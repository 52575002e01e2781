/**
 * node:test set-up: `node --import tasktree/testing/node-test --test`. Every test then fails
 * when it leaves tasks running (naming them), and prints the task tree when it times out, is
 * cancelled, or is still running after `TASKTREE_HANG_MS` (default 10 s).
 */
// The published types use Node's (NodeJS.Signals, AbortSignal): they say so, for compilers whose
// default `types` is empty (TypeScript 7). A TypeScript project installs @types/node.
/// <reference types="node" preserve="true" />
import { afterEach, beforeEach } from 'node:test';
import { installTaskTracking } from './hooks.js';

/** What the hooks use of node:test's context (`TestContext`; `fullName` exists since Node 20.18). */
interface Context {
  readonly name: string;
  readonly fullName?: string;
  readonly signal: AbortSignal;
}

installTaskTracking<Context>({
  beforeEach,
  afterEach,
  name: (t) => t.fullName ?? t.name,
  timedOut: (t) => t.signal.aborted,
});
