// A group's `timeout` option: a timer that cancels the group (reason `timeout`) when it expires;
// leaving the scope then throws a TimeoutError (group-join.ts). Zero or negative cancels at once;
// a deadline beyond what one Node timer can wait (24.8 days) waits again for the rest. Closing the
// group clears the timer (group-close.ts).
import { cancelGroup } from './cancel.js';
import { CancelledError, requested } from './errors.js';
import { groupExtraOf } from './group-state.js';
import type { TaskGroup } from './task-group.js';
import { MAX_TIMER_MS, now } from './time.js';

/** @internal Starts the group's deadline, `ms` from its creation. */
export function startTimeout(group: TaskGroup, ms: number): void {
  if (ms <= 0) onTimeout(group, ms);
  else groupExtraOf(group).timer = setTimeout(onTimeout, Math.min(ms, MAX_TIMER_MS), group, ms);
}

function onTimeout(group: TaskGroup, ms: number): void {
  if (ms > MAX_TIMER_MS) {
    // Longer than one Node timer can wait (24.8 days): wait again for the rest.
    const left = group._created + ms - now();
    if (left > 0) {
      groupExtraOf(group).timer = setTimeout(onTimeout, Math.min(left, MAX_TIMER_MS), group, ms);
      return;
    }
  }
  const x = groupExtraOf(group);
  x.timer = undefined;
  const err = requested(new CancelledError({ kind: 'timeout', group: group.name, ms }), { group });
  x.expired = err;
  cancelGroup(group, err, true);
}
