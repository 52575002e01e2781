// A closing group (its scope exited) is done once its last task has settled: it becomes CLOSED,
// lets go of what linked it to the world (its timeout timer, the listener on its outside signal,
// its place in the enclosing group and in its owner's list of open groups) and resolves its join.
// Before that, when only daemons are left, they are stopped.
import { stopDaemons } from './daemons.js';
import { CLOSED as importedCLOSED } from './group-state.js';
import type { Task } from './task.js';
import type { TaskGroup } from './task-group.js';
import { extraOf as importedExtraOf } from './task-state.js';

// On every task's path: read through module-local constants (see "Hot paths" in index.ts).
const CLOSED = importedCLOSED;
const extraOf = importedExtraOf;

/** @internal In CLOSING: stop daemons once only they are left; close once nothing is left. */
export function checkDone(group: TaskGroup): void {
  // Stop daemons once only they are left; again only if tasks were spawned since (so that
  // 40,000 daemons settling one by one do not rescan the list each time).
  if (group._nonDaemon === 0 && group._count > 0 && (group._x?.daemonsStoppedAt ?? -1) !== group._spawned) stopDaemons(group);
  if (group._count !== 0) return;
  group._phase = CLOSED;
  const x = group._x;
  if (x !== undefined) {
    if (x.timer !== undefined) {
      clearTimeout(x.timer);
      x.timer = undefined;
    }
    if (x.unlinkSignal !== undefined) {
      x.unlinkSignal();
      x.unlinkSignal = undefined;
    }
    if (x.encl !== undefined) {
      x.encl._x?.subs?.delete(group);
      x.encl = undefined;
    }
  }
  if (group._owned) {
    group._owned = false;
    const owner = group.owner as Task;
    const prev = group._prevG;
    const next = group._nextG;
    if (prev === undefined) extraOf(owner).groups = next;
    else prev._nextG = next;
    if (next !== undefined) next._prevG = prev;
    group._prevG = group._nextG = undefined;
  }
  if (x !== undefined && x.join !== undefined) x.join.resolve();
}
