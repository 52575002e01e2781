// The core: tasks, groups, the context, the registry, events and errors. It never imports the
// inspection, debug, testing or CLI layers; they reach it through `hooks.ts` and `internal.ts`
// (the internal fields documented on Task and TaskGroup). One idea per file:
//
// The public API
//   task.ts          the Task class: name, id, path, state, signal, cancel, result, `await`, waitFor
//   task-group.ts    the TaskGroup class: TaskGroup.run, `await using`, spawn, cancel, signal, whenBelow
//   spawn.ts         spawn(): into the running group body, or the current task's own scope
//   run.ts           run(main): the root task, signal handling, the run hooks
//   current.ts       currentTask() and waitFor()
//   sleep.ts, timeout.ts   sleep(ms) and withTimeout(ms, fn)
//   registry.ts      the live task tree (allTasks) and the history of finished tasks
//   events.ts        taskEvents and the diagnostics channels
//   errors.ts        CancelledError, TaskGroupError, TimeoutError, ScopeClosedError
//
// A task's life
//   spawn-into.ts    spawning into a group: create, link, then start, queue or settle cancelled
//   start-queue.ts   the start queue: tasks start in a microtask, in their spawner's context
//   task-end.ts      the function ended: close the task's scopes, then settle
//   settle.ts        settling: the outcome recorded, awaiters released, group and history told
//   awaiting.ts      `await task`: the `then` accessor, the engine's call told from user code's
//   waits.ts         what a task waits on and since when (`_wt`/`_ws`), waitFor's wait
//   interrupt.ts     cancellation points: pending waits that end when their scope is cancelled
//   task-state.ts    state codes, flags, and the extra state most tasks never need
//   tracing.ts       the `tasktree:task` tracing channel, and the tracer an outer layer attached
//
// A group's life
//   group-join.ts    leaving the scope: run the body, wait for the tasks, the outcome
//   group-close.ts   closing once the last task settled: links released, join resolved
//   failures.ts      recording real errors; the first cancels the rest (unless a supervisor)
//   cancel.ts        the cancellation engine: a task or group and everything below it
//   concurrency.ts   the `concurrency` queue and whenBelow(n)
//   daemons.ts       daemon tasks, stopped once only they are left
//   group-links.ts   where a new group hangs: its owner's open groups, the enclosing body's group
//   group-timeout.ts the `timeout` option's timer
//   group-signal.ts  the `signal` option's link to an outside AbortSignal
//   group-state.ts   phase codes, and the extra state most groups never need
//
// Underneath
//   scope-kind.ts    telling a task from a group without importing the classes (no import cycle)
//   context.ts       the one AsyncLocalStorage;  hooks.ts  what the outer layers plug in
//   time.ts, ids.ts, deferred.ts, validate.ts   clock stamps, ids, a promise with its settle
//                    functions, argument checks
//
// Hot paths. V8 reads an imported binding through its module cell, checking on every use that it
// is initialized; a module-local `const` it folds into optimized code. An imported function called
// on every task costs ≈5–20 instructions more per call than one of the same module (measured on
// Node 20 and 24). So where a file calls, for every task, a function or constant that lives in
// another file, it reads it through a module-local constant bound to the import
// (`const settleTask = importedSettleTask`): possible because the imports form no cycle
// (test/core/imports.test.ts), so every module a file imports has run before it.
export { Task, type TaskFunction, type SpawnOptions, type TaskState } from './task.js';
export { TaskGroup, type TaskGroupOptions } from './task-group.js';
export { spawn } from './spawn.js';
export { run, type RunOptions } from './run.js';
export { currentTask, waitFor } from './current.js';
export { allTasks, setHistoryLimit } from './registry.js';
export { sleep, type SleepOptions } from './sleep.js';
export { withTimeout } from './timeout.js';
export {
  CancelledError,
  TaskGroupError,
  TimeoutError,
  ScopeClosedError,
  type CancelReason,
  type TaskFailure,
} from './errors.js';
export { taskEvents, TaskEvents, type TaskEventMap, type TaskEventName } from './events.js';
