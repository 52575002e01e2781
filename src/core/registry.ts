import type { Task } from './task.js';
import type { TaskGroup } from './task-group.js';
import { RUNNING, STATE, groupsOf } from './task-state.js';

// The registry is the task tree itself: groups without a live owner (top-level groups and the one
// `run()` makes) are linked here while they have live tasks; every other task is reachable from
// them through its group and its owner's groups. Linking costs a few pointer writes, no Set.

let rootHead: TaskGroup | undefined;

/** @internal */
export function linkRoot(group: TaskGroup): void {
  group._prevG = undefined;
  group._nextG = rootHead;
  if (rootHead !== undefined) rootHead._prevG = group;
  rootHead = group;
}

/** @internal */
export function unlinkRoot(group: TaskGroup): void {
  const prev = group._prevG;
  const next = group._nextG;
  if (prev === undefined) rootHead = next;
  else prev._nextG = next;
  if (next !== undefined) next._prevG = prev;
  group._prevG = group._nextG = undefined;
}

/** @internal Root groups with live tasks, oldest first. */
export function rootGroups(): TaskGroup[] {
  const out: TaskGroup[] = [];
  for (let g = rootHead; g !== undefined; g = g._nextG) out.push(g);
  return out.reverse();
}

/** @internal Every live task, each parent before its children (depth first), siblings oldest first. */
export function liveTasks(): Task[] {
  const out: Task[] = [];
  const stack: Task[] = [];
  const roots = rootGroups();
  for (let i = roots.length - 1; i >= 0; i--) pushGroupTasks(roots[i] as TaskGroup, stack);
  while (stack.length > 0) {
    const task = stack.pop() as Task;
    // A task settling right now is still in its group's list for a moment, and already finished.
    if ((task._state & STATE) > RUNNING) continue;
    out.push(task);
    // Children: the task's groups are linked newest first; push so the oldest is visited first.
    const groups: TaskGroup[] = [];
    for (let g = groupsOf(task); g !== undefined; g = g._nextG) groups.push(g);
    for (const g of groups) pushGroupTasks(g, stack);
  }
  return out;
}

function pushGroupTasks(group: TaskGroup, stack: Task[]): void {
  for (let t = group._tail; t !== undefined; t = t._prev) stack.push(t);
}

/**
 * Every live task in the process (queued or running), each parent before its children.
 * A fresh array on every call; finished tasks are never in it.
 *
 * @example
 * ```ts
 * import { allTasks } from 'tasktree';
 * for (const task of allTasks()) console.log(task.path, task.state);
 * ```
 */
export function allTasks(): Task[] {
  return liveTasks();
}

// --- History: a ring of recently finished tasks, for "where did it go?" -----------------------

let historyLimit = 1000;
let history: (Task | undefined)[] = [];
let historyNext = 0;

/** @internal */
export function recordFinished(task: Task): void {
  if (historyLimit === 0) return;
  history[historyNext] = task;
  historyNext = historyNext + 1 === historyLimit ? 0 : historyNext + 1;
}

/** @internal Finished tasks, oldest first. */
export function finishedTasks(): Task[] {
  const out: Task[] = [];
  for (let i = 0; i < history.length; i++) {
    const task = history[(historyNext + i) % history.length];
    if (task !== undefined) out.push(task);
  }
  return out;
}

/**
 * Sets how many finished tasks the history keeps for the inspection tools (default 1000; 0 turns
 * it off). The history holds the tasks themselves, so their results stay reachable until they
 * leave it.
 */
export function setHistoryLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 0) {
    throw new RangeError(`setHistoryLimit(limit): expected an integer >= 0, got ${String(limit)} (${typeof limit})`);
  }
  const kept = finishedTasks().slice(-limit || history.length);
  historyLimit = limit;
  history = limit === 0 ? [] : kept;
  historyNext = limit === 0 ? 0 : kept.length % limit;
}
