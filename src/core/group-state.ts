// A group's state beyond the fields of TaskGroup: its phase codes, and the extra state most groups
// never need (GroupExtra, created on first use). Plain data; nothing here calls the engine.
import type { Deferred } from './deferred.js';
import type { CancelledError } from './errors.js';
import type { Wait } from './interrupt.js';
import type { Task } from './task.js';
import type { TaskGroup } from './task-group.js';

// Phases (`_phase`): the scope is open; it has exited and waits for its tasks; it is closed.
export const OPEN = 0;
export const CLOSING = 1;
export const CLOSED = 2;

/**
 * @internal A group's state that most groups never need, created on first use. Every task that
 * spawns gets a group (its own scope), so a group's size and creation time are paid per task.
 */
export class GroupExtra {
  /** Tasks waiting for a `concurrency` slot, from `queueHead` on. */
  queue: Task[] | undefined = undefined;
  queueHead = 0;
  /** The first cancellation that came from outside (explicit, parent, signal, timeout). */
  outside: CancelledError | undefined = undefined;
  /** The cancellation of the group's own timeout, once it expired. */
  expired: CancelledError | undefined = undefined;
  ac: AbortController | undefined = undefined;
  /** Resolved when the group closes, for whoever waits on it. */
  join: Deferred<void> | undefined = undefined;
  timer: NodeJS.Timeout | undefined = undefined;
  /** Removes the listener on the outside signal. */
  unlinkSignal: (() => void) | undefined = undefined;
  /** The group whose body created this group (cancelling it cancels this one). */
  encl: TaskGroup | undefined = undefined;
  /** Open groups created in this group's body. */
  subs: Set<TaskGroup> | undefined = undefined;
  /** `_spawned` when the daemons were last stopped (-1: never). */
  daemonsStoppedAt = -1;
  /** The body's pending interruptible waits (see interrupt.ts). */
  _waits: Wait | Wait[] | undefined = undefined;
  /** Producers waiting in `whenBelow(n)`. */
  below: { n: number; resolve: () => void }[] | undefined = undefined;
  /** run()'s own group: it holds the root task and has no place in paths. */
  runGroup = false;
}

/** The name `TaskGroup.run(body)` and `new TaskGroup()` give a group that was given none. */
export const DEFAULT_GROUP_NAME = 'TaskGroup';

/**
 * @internal The group's level in task paths and in `pstree`: its name, for a group that was named
 * (`TaskGroup.run('request#3', …)`, `new TaskGroup('background')`); undefined for a task's own
 * scope, run()'s group and a group left unnamed.
 */
export function groupInPath(group: TaskGroup): string | undefined {
  if (group._implicit || group.name === DEFAULT_GROUP_NAME || group._x?.runGroup === true) return undefined;
  return group.name;
}

/** @internal The group's extra state, created on first use. */
export function groupExtraOf(group: TaskGroup): GroupExtra {
  return (group._x ??= new GroupExtra());
}
