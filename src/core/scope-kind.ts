// Telling a task from a group. The running code's scope (the context's store) is a Task, or the
// TaskGroup whose `TaskGroup.run` body is running, and the engine tells them apart with
// `instanceof`. The two classes sit above the engine (their methods call it), so the engine does
// not import them: each class registers itself here when its module loads (task.ts,
// task-group.ts), and the engine checks against these bindings. That is the check it always was:
// an `instanceof` against a binding of another module, like any imported class.
import type { Task } from './task.js';
import type { TaskGroup } from './task-group.js';

/** @internal The Task class, set by task.ts when it loads. */
export let TaskClass: typeof Task;
/** @internal The TaskGroup class, set by task-group.ts when it loads. */
export let TaskGroupClass: typeof TaskGroup;

/** @internal Called once, by task.ts. */
export function registerTaskClass(cls: typeof Task): void {
  TaskClass = cls;
}

/** @internal Called once, by task-group.ts. */
export function registerTaskGroupClass(cls: typeof TaskGroup): void {
  TaskGroupClass = cls;
}

/** @internal The innermost task of the running code. */
export function taskOfScope(scope: Task | TaskGroup | undefined): Task | undefined {
  return scope === undefined ? undefined : scope instanceof TaskClass ? scope : scope.owner;
}
