// Starting tasks. Tasks start from a queue drained in a microtask, never by synchronous recursion: a
// chain of 100,000 tasks each spawning the next uses constant stack, and tasks spawned while
// draining join the same queue, in order. A drain starts at most 1,024 tasks, then lets the
// microtasks they queued run before it goes on (see BATCH_SLOTS). Each task runs in the async context it was spawned in (its
// spawner's AsyncLocalStorage values, tasktree's and every other library's — a request id, a
// tracing span) with the task as tasktree's store, as a native promise callback would: spawning
// captures that context in an AsyncResource (a pointer to the context frame on Node 24 and 26; a
// copy of the stores on Node 20 and 22), and the start enters it. The task's function then runs
// here (through tracing.ts: its tracer, the `tasktree:task` channel; and debug mode's `hooks.call`
// when it is set), and its end goes to task-end.ts.
import { AsyncResource } from 'node:async_hooks';
import { storage as importedStorage } from './context.js';
import { emit, isObserved as importedIsObserved } from './events.js';
import { hooks as importedHooks } from './hooks.js';
import { settleTask } from './settle.js';
import type { Task, TaskFunction } from './task.js';
import { bodyEnded as importedBodyEnded } from './task-end.js';
import { CANCELLED, RUNNING, STATE, cancelOf as importedCancelOf } from './task-state.js';
import { closeRun as importedCloseRun, openRun as importedOpenRun } from './time.js';
import { callFunction as importedCallFunction } from './tracing.js';

// On every task's path: read through module-local constants (see "Hot paths" in index.ts).
const cancelOf = importedCancelOf;
const bodyEnded = importedBodyEnded;
const callFunction = importedCallFunction;
const hooks = importedHooks;
const storage = importedStorage;
const isObserved = importedIsObserved;
const openRun = importedOpenRun;
const closeRun = importedCloseRun;

const resolved = Promise.resolve();
/** Task, context, task, context, … from `runHead` on. */
let runQueue: (Task | AsyncResource)[] = [];
let runHead = 0;
let drainScheduled = false;

/** @internal The caller's async context, for a task spawned here that starts later. */
export function captureContext(): AsyncResource {
  return new AsyncResource('tasktree.Task');
}

/** @internal Starts `task` soon (in a microtask), in `context` (see {@link captureContext}). */
export function scheduleStart(task: Task, context: AsyncResource): void {
  runQueue.push(task, context);
  if (!drainScheduled) {
    drainScheduled = true;
    // Not queueMicrotask: Node wraps each of its callbacks in an AsyncResource.
    void resolved.then(drainRunQueue);
  }
}

/**
 * How many tasks one drain starts (twice that many queue slots) before it lets the microtasks
 * queued meanwhile run: a burst of 100,000 spawns then starts 1,024 at a time, and each batch's
 * first continuations (often their end) run before the next batch starts, so the burst never has
 * 100,000 started functions alive at once — garbage collection is what such a burst costs most.
 */
const BATCH_SLOTS = 2 * 1024;

function drainRunQueue(): void {
  openRun();
  try {
    const end = runHead + BATCH_SLOTS;
    while (runHead < runQueue.length) {
      if (runHead === end) {
        // The rest after the microtasks this batch queued (still FIFO, still from a microtask).
        void resolved.then(drainRunQueue);
        return;
      }
      const task = runQueue[runHead] as Task;
      const context = runQueue[runHead + 1] as AsyncResource;
      runQueue[runHead] = runQueue[runHead + 1] = undefined as unknown as Task;
      runHead += 2;
      context.runInAsyncScope(startTask, task);
    }
    runQueue = [];
    runHead = 0;
    drainScheduled = false;
  } finally {
    closeRun();
  }
}

// Called with the task as `this`: runInAsyncScope passes on its arguments after `thisArg` as an
// array made for the call, and there are none.
function startTask(this: Task): void {
  const task = this;
  if ((task._state & STATE) !== RUNNING) return;
  const cancel = cancelOf(task);
  if (cancel !== undefined) {
    // Cancelled before it started: its function never runs.
    settleTask(task, CANCELLED, cancel);
    return;
  }
  if (isObserved('start')) emit('start', task);
  if (hooks.record !== undefined) hooks.record('start', task, undefined);
  // Inside runInAsyncScope, which restores the drain's context afterwards: one context frame per
  // task on Node 24 and 26, where run() would make a second one to restore.
  storage.enterWith(task);
  runFunction(task);
}

// Runs inside the task's context. The completion handlers are shared functions, not closures:
// a promise reaction runs in the context its `then` was called in, so they find their task with
// `getStore()`. That saves two closures and their context per task.
function runFunction(task: Task): void {
  const fn = task._slot as TaskFunction<unknown>;
  task._slot = undefined;
  let result: unknown;
  try {
    const call = hooks.call;
    result = callFunction(task, call === undefined ? fn : (t: Task) => call(t, fn));
  } catch (error) {
    bodyEnded(task, false, error);
    return;
  }
  if (result instanceof Promise) {
    // Kept while the function runs (the slot is free then): where the stacks probe starts.
    task._slot = result;
    result.then(onFulfilled, onRejected);
  } else if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
    const promise = Promise.resolve(result);
    task._slot = promise;
    promise.then(onFulfilled, onRejected);
  } else bodyEnded(task, true, result);
}

function onFulfilled(value: unknown): void {
  bodyEnded(storage.getStore() as Task, true, value);
}

function onRejected(error: unknown): void {
  bodyEnded(storage.getStore() as Task, false, error);
}
