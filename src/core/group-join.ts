// Leaving a group's scope: `TaskGroup.run` runs the body in the group's context, then exits the
// scope; exiting waits (shown as the owner task's wait on the group) until every task has settled;
// what it gives is the body's value, or the group's failure (a TaskGroupError), or its outside
// cancellation (a TimeoutError for its own deadline). `await using` exits the same way.
import { storage } from './context.js';
import { TaskGroupError, TimeoutError } from './errors.js';
import { bodyFailed } from './failures.js';
import type { TaskGroup } from './task-group.js';
import { RUNNING, STATE } from './task-state.js';
import { beginWait, endWait } from './waits.js';

/** How many group bodies are starting synchronously, one inside the other, right now. */
let bodyDepth = 0;
const MAX_SYNC_BODY_DEPTH = 64;

/** @internal Runs the body in the group's context, then leaves the scope. */
export async function runBody<T>(group: TaskGroup, body: (group: TaskGroup) => T | PromiseLike<T>): Promise<T> {
  let ok = true;
  let value: unknown;
  // The body starts synchronously, except when bodies are already nested this deep on the
  // stack: then it starts in a microtask, so groups opened directly in group bodies, any number
  // deep, cannot overflow the stack.
  if (bodyDepth >= MAX_SYNC_BODY_DEPTH) await undefined;
  try {
    bodyDepth++;
    let started: T | PromiseLike<T>;
    try {
      started = storage.run(group, body, group);
    } finally {
      bodyDepth--;
    }
    value = await started;
  } catch (error) {
    ok = false;
    value = error;
    bodyFailed(group, error);
  }
  await exitScope(group);
  return outcome(group, ok, value) as T;
}

/** @internal Leaves the scope and waits (as the owner task) until the group is closed. */
export async function exitScope(group: TaskGroup): Promise<void> {
  const join = group._close();
  if (join === undefined) return;
  const owner = group.owner;
  if (owner === undefined || (owner._state & STATE) > RUNNING) return join;
  const since = beginWait(owner, group);
  try {
    await join;
  } finally {
    endWait(owner, since, group);
  }
}

/** @internal What leaving the scope gives: the body's value, or the failure or cancellation. */
export function outcome(group: TaskGroup, ok: boolean, value: unknown): unknown {
  if (group._failures !== undefined) throw new TaskGroupError(group.name, group._failures);
  const outside = group._x?.outside;
  if (outside !== undefined) {
    const reason = outside.reason;
    // Only the group's own deadline makes a TimeoutError; an enclosing group's is a cancellation.
    throw outside === group._x?.expired && reason.kind === 'timeout' ? new TimeoutError(group.name, reason.ms, outside) : outside;
  }
  if (!ok) throw value;
  return value;
}
