/**
 * Deadlocks: cycles of tasks waiting on each other that nothing outside the cycle can end.
 *
 * A wait ends when what it waits on settles (or when its task is cancelled: that is how a deadlock
 * is broken, not how it ends by itself). Which waits can only be ended by other tasks, as far as
 * the snapshot knows:
 * - an exclusive wait on tasks (`await task`, `Promise.all`/`race` over tasks, a blocked
 *   `whenBelow(n)`): any of its tasks settling may end it, so it is stuck only while every one of
 *   them is stuck. Not exclusive (never stuck): `task.then(…)`, `task.result()`, a race with a wait
 *   tasktree saw begin in the same run (`Promise.race([task, sleep(ms)])`) — and, when the snapshot
 *   has stacks, a wait whose innermost frame awaits a combinator with more branches than tasks
 *   (`Promise.race([task, timer])`: the timer will end it);
 * - a join (a group's scope, or a task whose function ended, waiting for its children): it ends
 *   only once all of them have settled, so it is stuck while any one of them is stuck (daemons
 *   aside: once only daemons are left, the join cancels them);
 * - anything else (a sleep, a `waitFor` label, a queue slot, nothing recorded) may end without them.
 *
 * The stuck tasks are the largest set in which every task's wait is stuck given the others: start
 * from every task with such a wait and drop, until nothing changes, each one that something outside
 * the set can release. Every task left waits, through the set, on a cycle; those cycles are the
 * deadlocks reported.
 */
import type { TaskInfo } from './schema.js';

interface Need {
  /** `any`: stuck while all its targets are stuck; `all`: stuck while one of them is. */
  readonly mode: 'any' | 'all';
  readonly targets: readonly string[];
}

/** What can end a task's wait, or null when something outside the snapshot's tasks may. */
function needOf(task: TaskInfo, byId: ReadonlyMap<string, TaskInfo>): Need | null {
  const wait = task.waitingOn;
  if (wait === null) return null;
  if (wait.kind === 'task') {
    if (wait.exclusive === false) return null;
    const targets = wait.taskIds.filter((id) => byId.has(id));
    if (targets.length === 0) return null;
    // A combinator with more branches than the tasks awaited has a branch tasktree did not see.
    const awaits = task.stack?.[0]?.awaits;
    if (awaits !== undefined && awaits.branches.length > wait.taskIds.length) return null;
    return { mode: 'any', targets };
  }
  if (wait.kind === 'group' && wait.taskIds !== undefined) {
    const targets = wait.taskIds.filter((id) => byId.get(id)?.daemon === false);
    return targets.length === 0 ? null : { mode: 'all', targets };
  }
  return null;
}

/** The deadlock cycles among `tasks`, each once, starting from its smallest id. */
export function findCycles(tasks: readonly TaskInfo[], byId: Map<string, TaskInfo>): string[][] {
  const needs = new Map<string, Need>();
  for (const task of tasks) {
    const need = needOf(task, byId);
    if (need !== null) needs.set(task.id, need);
  }
  // Drop, until nothing changes, the tasks something outside the set can release.
  const waiters = new Map<string, string[]>();
  for (const [id, need] of needs) {
    for (const target of need.targets) {
      const list = waiters.get(target);
      if (list === undefined) waiters.set(target, [id]);
      else list.push(id);
    }
  }
  const released = (need: Need): boolean =>
    need.mode === 'any' ? need.targets.some((t) => !needs.has(t)) : !need.targets.some((t) => needs.has(t));
  const work = [...needs.keys()];
  while (work.length > 0) {
    const id = work.pop() as string;
    const need = needs.get(id);
    if (need === undefined || !released(need)) continue;
    needs.delete(id);
    for (const waiter of waiters.get(id) ?? []) if (needs.has(waiter)) work.push(waiter);
  }
  return cyclesIn(tasks, (id) => needs.get(id)?.targets.filter((t) => needs.has(t)) ?? []);
}

/** Cycles through the stuck tasks (iterative DFS; `path` is the grey chain). */
function cyclesIn(tasks: readonly TaskInfo[], next: (id: string) => readonly string[]): string[][] {
  const WHITE = 0;
  const GREY = 1;
  const BLACK = 2;
  const color = new Map<string, number>();
  const cycles: string[][] = [];
  const seen = new Set<string>();
  for (const start of tasks) {
    if (next(start.id).length === 0 || (color.get(start.id) ?? WHITE) !== WHITE) continue;
    const path: string[] = [start.id];
    const iters: number[] = [0];
    const outs: (readonly string[])[] = [next(start.id)];
    color.set(start.id, GREY);
    while (path.length > 0) {
      const id = path[path.length - 1] as string;
      const targets = outs[outs.length - 1] as readonly string[];
      const i = iters[iters.length - 1] as number;
      if (i >= targets.length) {
        color.set(id, BLACK);
        path.pop();
        iters.pop();
        outs.pop();
        continue;
      }
      iters[iters.length - 1] = i + 1;
      const to = targets[i] as string;
      const c = color.get(to) ?? WHITE;
      if (c === WHITE) {
        color.set(to, GREY);
        path.push(to);
        iters.push(0);
        outs.push(next(to));
      } else if (c === GREY) {
        const cycle = path.slice(path.indexOf(to));
        let min = 0;
        for (let k = 1; k < cycle.length; k++) if ((cycle[k] as string) < (cycle[min] as string)) min = k;
        const rotated = [...cycle.slice(min), ...cycle.slice(0, min)];
        const key = rotated.join(' ');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(rotated);
        }
      }
    }
  }
  return cycles;
}
