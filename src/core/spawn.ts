import { storage as importedStorage } from './context.js';
import { ScopeClosedError } from './errors.js';
import { spawnInto as importedSpawnInto } from './spawn-into.js';
import { Task, type SpawnOptions, type TaskFunction } from './task.js';
import { TaskGroup } from './task-group.js';
import { SCOPE_CLOSED as importedSCOPE_CLOSED, groupsOf as importedGroupsOf } from './task-state.js';

// On every task's path: read through module-local constants (see "Hot paths" in index.ts).
const spawnInto = importedSpawnInto;
const groupsOf = importedGroupsOf;
const SCOPE_CLOSED = importedSCOPE_CLOSED;
const storage = importedStorage;
const TaskClass = Task;

/**
 * Spawns a task into the innermost scope: the `TaskGroup.run` body's group, else the current
 * task's own scope (every task is also a scope: it settles only after the tasks spawned inside
 * it). Throws when called outside any task or group body.
 *
 * @example
 * ```ts
 * import { run, spawn, sleep } from 'tasktree';
 * await run(async () => {
 *   spawn('heartbeat', async (task) => {
 *     while (!task.signal.aborted) await sleep(1000);
 *   }, { daemon: true });
 *   const answer = spawn('compute', async () => 42);
 *   console.log(await answer); // 42; the daemon is stopped when main is done
 * });
 * ```
 */
export function spawn<T>(name: string, fn: TaskFunction<T>, options?: SpawnOptions): Task<T>;
export function spawn<T>(fn: TaskFunction<T>, options?: SpawnOptions): Task<T>;
export function spawn<T>(a: string | TaskFunction<T>, b?: TaskFunction<T> | SpawnOptions, c?: SpawnOptions): Task<T> {
  const api = 'spawn(name, fn, options)';
  const scope = storage.getStore();
  if (scope === undefined) {
    throw new Error(
      `${api}: there is no current task: call it inside run(), a task, or a TaskGroup.run() body, or use group.spawn()`,
    );
  }
  const group = scope instanceof TaskClass ? ownScope(scope, api) : scope;
  return spawnInto(group, api, a, b, c);
}

/** The task's own scope (where `spawn()` inside it goes), created on first use. */
function ownScope(task: Task, api: string): TaskGroup {
  for (let g = groupsOf(task); g !== undefined; g = g._nextG) if (g._implicit) return g;
  if ((task._state & SCOPE_CLOSED) !== 0) throw new ScopeClosedError(task.name, api);
  return TaskGroup._implicitFor(task);
}
