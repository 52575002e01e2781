// A group's `signal` option: when that outside AbortSignal aborts, the group is cancelled (reason
// `signal`, with the signal's reason); an already aborted signal cancels it at once. Closing the
// group removes the listener (group-close.ts), so a long-lived signal does not keep closed groups.
import { cancelGroup } from './cancel.js';
import { CancelledError, requested } from './errors.js';
import { hooks } from './hooks.js';
import { groupExtraOf } from './group-state.js';
import type { TaskGroup } from './task-group.js';

/** @internal Links the group to `signal`. */
export function linkSignal(group: TaskGroup, signal: AbortSignal): void {
  // Run inside `abort()`: in debug mode, the site is where the outside controller aborted.
  const onAbort = (): void => {
    const site = hooks.cancel === undefined ? undefined : hooks.cancel();
    cancelGroup(group, requested(new CancelledError({ kind: 'signal', reason: signal.reason }), { group, site }), true);
  };
  if (signal.aborted) onAbort();
  else {
    signal.addEventListener('abort', onAbort, { once: true });
    groupExtraOf(group).unlinkSignal = () => signal.removeEventListener('abort', onAbort);
  }
}
