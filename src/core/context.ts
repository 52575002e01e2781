import { AsyncLocalStorage } from 'node:async_hooks';
import type { Task } from './task.js';
import type { TaskGroup } from './task-group.js';

/**
 * The one AsyncLocalStorage of tasktree. It is entered once per task start (`enterWith` inside the
 * start's `runInAsyncScope`, see start-queue.ts) and once per `TaskGroup.run` body, never per
 * await: on Node 20 and 22 (AsyncLocalStorage built on async hooks) the first use turns on promise
 * hooks for the whole process, and on Node 24 and 26 (AsyncContextFrame) each entry copies the
 * context frame (a `run()` copies it twice: in, and back out). The suite runs on all four lines.
 *
 * The store is the innermost scope: a Task, or the TaskGroup whose `TaskGroup.run` body is running.
 */
export const storage = new AsyncLocalStorage<Task | TaskGroup>();
