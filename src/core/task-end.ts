// A task's function has ended. The task settles when its function has returned and every group it
// owns has closed: its own scope, and explicit groups the function left open. Most often they are
// already empty and it settles at once; otherwise it waits (shown as a wait on its scope) and then
// settles with its own outcome, or with the failures found in its scopes.
import { CancelledError, TaskGroupError, isCancellation, requested, type TaskFailure } from './errors.js';
import { cancelScopeTree } from './cancel.js';
import { hooks } from './hooks.js';
import { settleTask as importedSettleTask } from './settle.js';
import type { Task } from './task.js';
import type { TaskGroup } from './task-group.js';
import { CANCELLED, FULFILLED, REJECTED, SCOPE_CLOSED, cancelOf as importedCancelOf, groupsOf as importedGroupsOf } from './task-state.js';
import { beginWait, endWait } from './waits.js';

// On every task's path: read through module-local constants (see "Hot paths" in index.ts).
const settleTask = importedSettleTask;
const groupsOf = importedGroupsOf;
const cancelOf = importedCancelOf;

/** @internal The task's function returned `value` (`ok`) or threw it. */
export function bodyEnded(task: Task, ok: boolean, value: unknown): void {
  task._state |= SCOPE_CLOSED;
  const first = groupsOf(task);
  if (first === undefined) {
    settleTask(task, ok ? FULFILLED : isCancellation(value, cancelOf(task)) ? CANCELLED : REJECTED, value);
    return;
  }
  if (ok && first._nextG === undefined && first._count === 0 && first._failures === undefined) {
    // The common end: the function returned and its own scope is already empty.
    first._close();
    settleTask(task, FULFILLED, value);
    return;
  }
  closeScopes(task, first, ok, value);
}

function closeScopes(task: Task, first: TaskGroup, ok: boolean, value: unknown): void {
  const failed = !ok && !isCancellation(value, cancelOf(task));
  if (failed) cancelScopeTree(task, requested(new CancelledError({ kind: 'body-failed', group: task.name, error: value }), { task }));
  // Every group the task owns closes with it: its own scope, and explicit groups the function
  // left open. Most often they are already empty, and the task settles right here.
  const groups: TaskGroup[] = [first];
  for (let g = first._nextG; g !== undefined; g = g._nextG) groups.push(g);
  let joins: Promise<void>[] | undefined;
  let joined: TaskGroup | undefined;
  for (const group of groups) {
    const join = group._close();
    if (join === undefined) continue;
    (joins ??= []).push(join);
    // The wait names a group still open: the task's own scope first, else the first group it left open.
    if (joined === undefined || group._implicit) joined = group;
    if (!group._implicit) hooks.openGroup?.(task, group);
  }
  if (joins === undefined || joined === undefined) {
    finishScopes(task, ok, value, failed, groups);
    return;
  }
  const since = beginWait(task, joined);
  void Promise.all(joins).then(() => {
    endWait(task, since, joined);
    finishScopes(task, ok, value, failed, groups);
  });
}

/** Settles a task whose scopes have all closed: its own outcome, or the failures in its scopes. */
function finishScopes(task: Task, ok: boolean, value: unknown, failed: boolean, groups: TaskGroup[]): void {
  let failures: TaskFailure[] | undefined;
  for (const group of groups) {
    if (group._failures === undefined) continue;
    // The task's own scope reports its tasks' failures; an explicit group left open, its whole failure.
    if (group._implicit) (failures ??= []).unshift(...group._failures);
    else (failures ??= []).push({ source: 'body', task: undefined, error: new TaskGroupError(group.name, group._failures) });
  }
  if (failures !== undefined) {
    if (failed && !failures.some((f) => f.error === value)) failures.push({ source: 'body', task: undefined, error: value });
    settleTask(task, REJECTED, new TaskGroupError(task.name, failures));
  } else {
    settleTask(task, ok ? FULFILLED : failed ? REJECTED : CANCELLED, value);
  }
}
