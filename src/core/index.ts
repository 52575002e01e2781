// The core: tasks, groups, the context, the registry, events and errors. It never imports the
// inspection, debug, testing or CLI layers; they reach it through `hooks.ts` and the internal
// fields documented on Task and TaskGroup.
export { Task, type TaskFunction, type TaskState, type SpawnOptions } from './task.js';
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
