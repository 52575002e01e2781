// V8's async stack tagging: in debug mode each task's function runs inside
// `console.createTask(path)`, so a debugger (Chrome DevTools, `node inspect`) paused anywhere in a
// task shows the task's path in the async call stack, and the code that runs after each of its
// awaits is tagged the same. Without a debugger attached V8 only records the tag (≈0.6 µs per
// task); the core calls its function directly when this is off (`hooks.call` unset).
import type { Task, TaskFunction } from '../core/index.js';
import { hooks } from '../core/internal.js';

interface ConsoleTask {
  run<R>(fn: () => R): R;
}
type CreateTask = (name: string) => ConsoleTask;

const createTask = (console as unknown as { createTask?: CreateTask }).createTask;

function callTagged(task: Task, fn: TaskFunction<unknown>): unknown {
  return (createTask as CreateTask).call(console, task.path).run(() => fn(task));
}

/** Tags every task that starts from now on (where the runtime has `console.createTask`). */
export function installAsyncTags(): void {
  if (typeof createTask === 'function') hooks.call = callTagged;
}

/** Stops tagging: the core calls task functions directly again. */
export function removeAsyncTags(): void {
  if (hooks.call === callTagged) hooks.call = undefined;
}
