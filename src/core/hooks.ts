import type { Task, TaskFunction } from './task.js';
import type { TaskGroup } from './task-group.js';

/**
 * What an outer layer (tasktree/otel) attaches to a task it follows, returned by `hooks.trace`:
 * the core calls `run` to call the task's function, and `settled` once the task has settled (after
 * its children; also for a task cancelled before it started, whose `run` is never called).
 */
export interface TaskTracer {
  /** The trace and span the task is, shown in snapshots (`where`). */
  readonly traceId: string;
  readonly spanId: string;
  /**
   * Calls `fn(task)` (in the span's context) and returns what it returns or throws what it throws.
   * Called in the task's own async context, entered for the task alone and left once the start is
   * done: a value entered there with `AsyncLocalStorage.enterWith` is the task's, as the core's own is.
   */
  run(fn: (task: Task) => unknown, task: Task): unknown;
  settled(task: Task): void;
}

/**
 * Extension points the outer layers fill in; the core calls them and never imports those layers.
 * Every hook is `undefined` unless a layer installed it, so an unused hook costs one check.
 */
export const hooks: {
  /** Debug mode: called for every new task, before it is linked (record its creation site). */
  spawn: ((task: Task) => void) | undefined;
  /**
   * Debug mode: called when `waiter` starts awaiting `target` (record the await site): a task
   * (`await task`, `task.result()`), or a group (a blocked `group.whenBelow(n)`).
   */
  await: ((waiter: Task, target: Task | TaskGroup) => void) | undefined;
  /**
   * Debug mode: calls a task's function, `fn(task)`, and returns what it returns — so that it can
   * run the function inside something of its own (V8's async stack tagging).
   */
  call: ((task: Task, fn: TaskFunction<unknown>) => unknown) | undefined;
  /**
   * Tracing (tasktree/otel): called for every new task, after `spawn`, in the spawner's context;
   * what it returns follows the task (see {@link TaskTracer}).
   */
  trace: ((task: Task) => TaskTracer | undefined) | undefined;
  /** Debug mode: called when a cancellation is asked for (`cancel()`, a linked signal aborting): the call's stack. */
  cancel: (() => { stack?: string }) | undefined;
  /**
   * Debug mode: `task`'s function ended and left `group` (an explicit group it created) open with
   * live tasks; the task waits for them before it settles.
   */
  openGroup: ((task: Task, group: TaskGroup) => void) | undefined;
  /**
   * The flight recorder (tasktree/inspect): called at each step of every task's life, with what
   * the step is about — see {@link RecordStep}. Cheap by contract: it stores, it never reads.
   */
  record: ((step: RecordStep, task: Task, detail: unknown) => void) | undefined;
} = { spawn: undefined, await: undefined, call: undefined, trace: undefined, cancel: undefined, openGroup: undefined, record: undefined };

/**
 * A step of a task's life as `hooks.record` receives it, and its `detail`:
 * - `spawn` — created; detail `true` when it is queued for a `concurrency` slot.
 * - `start` — its function is about to be called.
 * - `wait` — it began a wait; detail the wait's target as `task._wt` holds it (see waits.ts).
 * - `resume` — the wait ended (detail its target): a `waitFor`, sleep, join or `whenBelow` ended,
 *   or the last task it awaited settled, or its cancellation interrupted it.
 * - `cancel` — its cancellation was requested; detail the CancelledError.
 * - `settle` — it settled (its state and result are on the task).
 */
export type RecordStep = 'spawn' | 'start' | 'wait' | 'resume' | 'cancel' | 'settle';

/** Options of `run()` that outer layers act on. */
export interface RunHookOptions {
  readonly debug: boolean | undefined;
  readonly dumpSignal: NodeJS.Signals | false | undefined;
  readonly crashRecording: boolean | string | undefined;
}

/**
 * What a run hook returns for one `run()`: `started(root)` is called once the root task exists;
 * `running(root)` once `run()` is still running at the end of its first drain of microtasks
 * (install process-wide handlers there: a `run()` that ends sooner never calls it; it may return
 * an undo, called when `run()` ends); `end(root)` when `run()` ends (after every task settled).
 * `running` and `end` may throw: `run()` then rejects with that error if the root task fulfilled
 * (the root task's own error wins otherwise). A bare function is taken as `end`.
 */
export interface RunHookSession {
  /** Main's function is called once this settles (it must settle, soon: bound it). */
  ready?: Promise<unknown> | undefined;
  started?(root: Task): void;
  running?(root: Task): (() => void) | void;
  end?(root: Task): void;
}

/**
 * Called by `run()` when it starts, *before* it spawns the root task (so a hook that sets
 * `hooks.spawn` sees the root task's creation). The inspection layer installs the dump signal this
 * way, the debug layer its watchdog and end-of-run leak report.
 */
export const runHooks: Array<(options: RunHookOptions) => RunHookSession | (() => void) | undefined> = [];
