// Where a new group hangs in the tree. It joins its owner task's list of open groups (`_prevG`/
// `_nextG` from the task's `groups`): that is how the registry, `task.children` and cancelling the
// task reach it. Created in a `TaskGroup.run` body, it is also nested in that body's group
// (`encl`/`subs`), so cancelling that group reaches it too. Born under a cancelled owner or
// enclosing group, it is cancelled at once. Closing unlinks it (group-close.ts); a group with no
// live owner is linked into the registry's roots instead while it has tasks (spawn-into.ts).
import { cancelGroup } from './cancel.js';
import { CancelledError } from './errors.js';
import { groupExtraOf } from './group-state.js';
import type { Task } from './task.js';
import type { TaskGroup } from './task-group.js';
import { cancelOf, extraOf } from './task-state.js';

/** @internal Joins the running owner's list of open groups; born inside a cancelled task, cancelled too. */
export function linkToOwner(group: TaskGroup, parent: Task): void {
  group._owned = true;
  const extra = extraOf(parent);
  const head = extra.groups;
  group._nextG = head;
  if (head !== undefined) head._prevG = group;
  extra.groups = group;
  const cause = cancelOf(parent);
  if (cause !== undefined) {
    cancelGroup(group, new CancelledError({ kind: 'parent-cancelled', parent, cause }), true);
  }
}

/** @internal Nests `group` in `scope`, the open group whose body created it; cancelled with it. */
export function nestIn(group: TaskGroup, scope: TaskGroup): void {
  groupExtraOf(group).encl = scope;
  (groupExtraOf(scope).subs ??= new Set()).add(group);
  if (scope._cancel !== undefined) cancelGroup(group, scope._cancel, true);
}
