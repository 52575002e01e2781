// Daemon tasks (`spawn(..., { daemon: true })`) do not keep their scope open: once the scope is
// closing and only daemons are left, they are cancelled (reason `scope-done`). A group counts its
// non-daemon tasks (`_nonDaemon`, kept by spawn-into.ts and `_childSettled`); group-close.ts calls
// this when that count reaches zero.
import { cancelTask } from './cancel.js';
import { CancelledError, requested } from './errors.js';
import { groupExtraOf } from './group-state.js';
import type { TaskGroup } from './task-group.js';
import { RUNNING, STATE, cancelOf } from './task-state.js';

/** @internal Cancels the group's live daemons, all sharing one `scope-done` cancellation. */
export function stopDaemons(group: TaskGroup): void {
  groupExtraOf(group).daemonsStoppedAt = group._spawned;
  let err: CancelledError | undefined;
  for (let t = group._head; t !== undefined; t = t._next) {
    if (cancelOf(t) === undefined && (t._state & STATE) <= RUNNING) {
      err ??= requested(new CancelledError({ kind: 'scope-done', group: group.name }), { group });
      cancelTask(t, err);
    }
  }
}
