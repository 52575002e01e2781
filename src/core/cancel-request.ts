// Who asked for a cancellation: recorded when it is asked — a `cancel()` call, a timeout, a signal,
// a failure — and never on spawn. One small object per request, kept on the request's
// CancelledError (the root of its chain), so every task the cancellation reaches shares it.
import { storage } from './context.js';
import { hooks } from './hooks.js';
import { taskOfScope } from './scope-kind.js';
import type { Task } from './task.js';
import type { TaskGroup } from './task-group.js';

/** @internal Who asked for a cancellation. Which fields are set depends on the reason's kind. */
export interface CancelRequest {
  /**
   * `cancel()` was called from inside this task (`currentTask()` at the call); for `body-failed`,
   * the task whose function failed. Unset: called outside any task, or not a task's doing.
   */
  readonly task?: Task | undefined;
  /** The group whose timeout expired, whose linked `AbortSignal` aborted, or whose daemons stop. */
  readonly group?: TaskGroup | undefined;
  /** An outside requester that names itself: `tasktree cancel` (`cli`), `tasktree ui` (`ui`), `run()`'s signal handler (`run`). */
  readonly via?: 'cli' | 'ui' | 'run';
  /** The reason the outside requester gave (`tasktree cancel --reason`), when it gave one. */
  readonly given?: string | undefined;
  /** Debug mode: the stack of the call that asked (an object holding it, formatted when shown). */
  readonly site?: { stack?: string } | undefined;
}

/** @internal The request of a `cancel()` call: the task it is called from and, in debug mode, where. */
export function callerRequest(): CancelRequest {
  const site = hooks.cancel === undefined ? undefined : hooks.cancel();
  return { task: taskOfScope(storage.getStore()), site };
}
