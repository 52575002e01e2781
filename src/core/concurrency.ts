// A group's `concurrency` limit: spawns beyond it wait in a queue (state `queued`, holding their
// spawner's context) and start, oldest first, as running tasks settle; and `whenBelow(n)`, the
// backpressure a producer awaits so the queue stays bounded. (Spawning decides slot or queue:
// spawn-into.ts.)
import type { AsyncResource } from 'node:async_hooks';
import { storage } from './context.js';
import { groupExtraOf, type GroupExtra } from './group-state.js';
import { hooks } from './hooks.js';
import { interruptible } from './interrupt.js';
import { taskOfScope } from './scope-kind.js';
import { scheduleStart } from './start-queue.js';
import type { Task } from './task.js';
import type { TaskGroup } from './task-group.js';
import { QUEUED, RUNNING, SLOT, STATE, type TaskExtra } from './task-state.js';
import { show } from './validate.js';
import { BelowWait, beginWait, endWait } from './waits.js';

/** @internal A slot was freed: start queued tasks while slots are free. */
export function startQueued(group: TaskGroup): void {
  const x = group._x as GroupExtra;
  const queue = x.queue as Task[];
  while (group._running < group._concurrency && x.queueHead < queue.length) {
    const task = queue[x.queueHead] as Task;
    queue[x.queueHead++] = undefined as unknown as Task;
    if ((task._state & STATE) !== QUEUED) continue;
    task._state = (task._state & ~STATE) | RUNNING | SLOT;
    group._running++;
    // Started in the context it was spawned in, not in that of the task that freed the slot.
    const extra = task._extra as TaskExtra;
    scheduleStart(task, extra.context as AsyncResource);
    extra.context = undefined;
  }
  if (x.queueHead === queue.length) {
    x.queue = undefined;
    x.queueHead = 0;
  }
}

/** @internal `group.whenBelow(n)`. */
export function whenBelow(group: TaskGroup, n: number): Promise<void> {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
    throw new RangeError(`TaskGroup.whenBelow(n): expected n to be an integer >= 1, got ${show(n)}`);
  }
  if (group._count < n) return Promise.resolve();
  const below = (groupExtraOf(group).below ??= []);
  const done = new Promise<void>((resolve) => below.push({ n, resolve }));
  const scope = storage.getStore();
  if (scope === undefined) return done;
  const wait = interruptible(scope, done);
  // Shown as the waiter's wait on the group's tasks: any of them settling may end it.
  const waiter = taskOfScope(scope);
  if (waiter === undefined || (waiter._state & STATE) > RUNNING) return wait;
  const target = new BelowWait(group, n);
  const since = beginWait(waiter, target);
  if (hooks.await !== undefined) hooks.await(waiter, group);
  const end = (): void => endWait(waiter, since, target);
  wait.then(end, end);
  return wait;
}

/** @internal A task left the group: wake the producers waiting for fewer live tasks than that. */
export function wakeBelow(group: TaskGroup): void {
  const x = group._x as GroupExtra;
  const below = x.below as { n: number; resolve: () => void }[];
  const still = below.filter((w) => {
    if (group._count >= w.n) return true;
    w.resolve();
    return false;
  });
  x.below = still.length === 0 ? undefined : still;
}
