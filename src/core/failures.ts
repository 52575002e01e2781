// A group's failures: every real error (a task's, the body's) is recorded once, in order, and the
// first one cancels the rest unless the group is a supervisor (`cancelOnError: false`).
// Cancellations are not failures. Leaving the scope turns the list into a TaskGroupError
// (group-join.ts); a task's own scope hands it to its task (task-end.ts).
import { cancelGroup, cancelTask } from './cancel.js';
import { CancelledError, isCancellation, requested, type TaskFailure } from './errors.js';
import type { Task } from './task.js';
import type { TaskGroup } from './task-group.js';
import { cancelOf } from './task-state.js';

/** @internal The body threw: record the error (unless it is a cancellation) and cancel the rest. */
export function bodyFailed(group: TaskGroup, error: unknown): void {
  const cancellation = isCancellation(error, group._cancel ?? (group.owner === undefined ? undefined : cancelOf(group.owner)));
  if (!cancellation) fail(group, { source: 'body', task: undefined, error }, false);
  // A supervisor (`cancelOnError: false`) cancels nobody, not even when its body fails.
  if (group._cancelOnError) {
    const err = new CancelledError({ kind: 'body-failed', group: group.name, error });
    cancelGroup(group, requested(err, { task: group.owner, group }), false);
  }
}

/** @internal Records a real error; cancels the rest when `cancelOnError`. */
export function fail(group: TaskGroup, failure: TaskFailure, cancelRest: boolean): void {
  const failures = (group._failures ??= []);
  // A body that awaited a failed task rethrows the same error: report it once. (Only the body's
  // error is checked: a supervisor collecting 40,000 task errors must stay linear.)
  if (failure.source === 'body' && failure.error !== undefined && failure.error !== null) {
    for (const f of failures) if (f.error === failure.error) return;
  }
  failures.push(failure);
  if (!cancelRest || !group._cancelOnError || group._cancel !== undefined) return;
  const err = new CancelledError({ kind: 'sibling-failed', task: failure.task as Task, error: failure.error });
  cancelGroup(group, err, false);
  // A task's own scope: the failure also cancels the task's function (its signal) and its other scopes.
  if (group._implicit) cancelTask(group.owner as Task, err);
}
