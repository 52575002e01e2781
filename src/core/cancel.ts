// The cancellation engine: cancelling a task or a group cancels everything below it — the task's
// signal and pending waits, every group it owns, their tasks, and groups nested in group bodies.
// Iterative (an explicit work list), so 5,000 nested scopes cannot overflow the stack; one
// CancelledError per cancelled scope, shared by its tasks. A group's tasks enter the list as one
// array, sized once: abort listeners run user code that may settle or spawn tasks, so the live
// list is copied before anything is cancelled, and the copy is the least garbage there is in the
// middle of a cancellation storm. Queued tasks that never started settle once the list is done.
import { CancelledError } from './errors.js';
import { emit, isObserved } from './events.js';
import { groupExtraOf } from './group-state.js';
import { hooks } from './hooks.js';
import { interrupt } from './interrupt.js';
import { TaskGroupClass } from './scope-kind.js';
import { settleTask } from './settle.js';
import type { Task } from './task.js';
import type { TaskGroup } from './task-group.js';
import { CANCELLED, QUEUED, RUNNING, STATE, cancelOf, extraOf, groupsOf } from './task-state.js';

type Work = (Task | Task[] | TaskGroup | CancelledError)[];

/** @internal Cancels a group and everything below it. `outside`: not caused by the group's own failure. */
export function cancelGroup(group: TaskGroup, err: CancelledError, outside: boolean): void {
  const work: Work = [];
  markGroup(group, err, outside, work);
  drain(work);
}

/** @internal Cancels a task and everything below it. */
export function cancelTask(task: Task, err: CancelledError): void {
  drain([task, err]);
}

/** @internal Cancels every scope of `task` (not the task itself): its function failed. */
export function cancelScopeTree(task: Task, err: CancelledError): void {
  const work: Work = [];
  for (let g = groupsOf(task); g !== undefined; g = g._nextG) markGroup(g, err, false, work);
  drain(work);
}

function markGroup(group: TaskGroup, err: CancelledError, outside: boolean, work: Work): void {
  // Only an explicit group reports its outside cancellation (a task's own scope settles with its task).
  if (outside && !group._implicit) {
    const x = groupExtraOf(group);
    if (x.outside === undefined) x.outside = err;
  }
  if (group._cancel !== undefined) return;
  group._cancel = err;
  const x = group._x;
  if (x !== undefined && x.ac !== undefined) x.ac.abort(err);
  if (!group._implicit) interrupt(group, err);
  if (group._count > 0) {
    const tasks = new Array<Task>(group._count);
    let i = 0;
    for (let t = group._head; t !== undefined; t = t._next) tasks[i++] = t;
    work.push(tasks, err);
  }
  if (x !== undefined && x.subs !== undefined) for (const sub of x.subs) work.push(sub, err);
}

function drain(work: Work): void {
  let unstarted: Task[] | undefined;
  while (work.length > 0) {
    const err = work.pop() as CancelledError;
    const item = work.pop() as Task | Task[] | TaskGroup;
    if (item instanceof TaskGroupClass) markGroup(item, err, true, work);
    else if (Array.isArray(item)) {
      for (const task of item) if (cancelOne(task, err, work)) (unstarted ??= []).push(task);
    } else if (cancelOne(item, err, work)) (unstarted ??= []).push(item);
  }
  // Queued tasks never started: they settle now, without running.
  if (unstarted !== undefined) for (const task of unstarted) if ((task._state & STATE) === QUEUED) settleTask(task, CANCELLED, cancelOf(task));
}

/**
 * Cancels one task (unless settled or cancelled already); its groups join the work list. Returns
 * whether it is a queued task that never started (it settles once the work list is done).
 */
function cancelOne(task: Task, err: CancelledError, work: Work): boolean {
  if ((task._state & STATE) > RUNNING || cancelOf(task) !== undefined) return false;
  const queued = (task._state & STATE) === QUEUED;
  const extra = extraOf(task);
  extra.cancel = err;
  if (isObserved('cancel')) emit('cancel', task, err);
  if (hooks.record !== undefined) hooks.record('cancel', task, err);
  if (extra.ac !== undefined) extra.ac.abort(err);
  interrupt(task, err);
  if (extra.groups !== undefined) {
    const childErr = new CancelledError({ kind: 'parent-cancelled', parent: task, cause: err });
    for (let g: TaskGroup | undefined = extra.groups; g !== undefined; g = g._nextG) markGroup(g, childErr, true, work);
  }
  return queued;
}
