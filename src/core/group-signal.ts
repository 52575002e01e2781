// A group's `signal` option: when that outside AbortSignal aborts, the group is cancelled (reason
// `signal`, with the signal's reason); an already aborted signal cancels it at once. Closing the
// group removes the listener (group-close.ts), so a long-lived signal does not keep closed groups.
import { cancelGroup } from './cancel.js';
import { CancelledError } from './errors.js';
import { groupExtraOf } from './group-state.js';
import type { TaskGroup } from './task-group.js';

/** @internal Links the group to `signal`. */
export function linkSignal(group: TaskGroup, signal: AbortSignal): void {
  const onAbort = (): void => cancelGroup(group, new CancelledError({ kind: 'signal', reason: signal.reason }), true);
  if (signal.aborted) onAbort();
  else {
    signal.addEventListener('abort', onAbort, { once: true });
    groupExtraOf(group).unlinkSignal = () => signal.removeEventListener('abort', onAbort);
  }
}
