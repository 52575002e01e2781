/**
 * Vitest set-up: add `'tasktree/testing/vitest'` to `test.setupFiles`. Every test then fails
 * when it leaves tasks running (naming them), and prints the task tree when it times out or is
 * still running after `TASKTREE_HANG_MS` (default 10 s).
 */
// The published types use Node's (NodeJS.Signals, AbortSignal): they say so, for compilers whose
// default `types` is empty (TypeScript 7). A TypeScript project installs @types/node.
/// <reference types="node" preserve="true" />
import { afterEach, beforeEach, type TestContext } from 'vitest';
import { installTaskTracking } from './hooks.js';

installTaskTracking<TestContext>({
  beforeEach,
  afterEach,
  name: (ctx) => ctx.task.name,
  timedOut: (ctx) => ctx.task.result?.errors?.some((e) => /timed out/i.test(String(e.message))) ?? false,
});
