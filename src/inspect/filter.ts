/**
 * Which live tasks of a snapshot a person asked to see: by name (a glob), by state, by
 * attributes. Pure functions of the snapshot; the renderers (`formatTable`, `formatTree`) and the
 * CLI's `--name`, `--state` and `--attr` use them.
 */
import type { Snapshot, TaskInfo } from './schema.js';

/**
 * The state of a live task as the renderers show it: `queued` (waiting for a concurrency slot),
 * `running`, or `cancelling` (its cancellation was requested and it has not finished yet —
 * cancellation is cooperative, so a task that ignores its signal stays `cancelling`).
 */
export type LiveState = 'queued' | 'running' | 'cancelling';

/** Every {@link LiveState}, in the order a task goes through them. */
export const LIVE_STATES: readonly LiveState[] = Object.freeze(['queued', 'running', 'cancelling']);

/**
 * The {@link LiveState} of a task of a snapshot.
 *
 * @example
 * ```ts
 * import { run, spawn, sleep } from 'tasktree';
 * import { captureSnapshot, liveState } from 'tasktree/inspect';
 * await run(async () => {
 *   const worker = spawn('worker', () => sleep(10));
 *   worker.cancel();
 *   const info = captureSnapshot().tasks.find((t) => t.id === worker.id);
 *   console.log(info && liveState(info)); // 'cancelling': cancel requested, not unwound yet
 * });
 * ```
 */
export function liveState(task: TaskInfo): LiveState {
  return task.cancelled !== null ? 'cancelling' : task.state;
}

/** What {@link filterSnapshot} keeps; every field given must match (an empty filter keeps all). */
export interface TaskFilter {
  /** A glob on the task's name: `*` any run of characters, `?` one character; case-sensitive. */
  readonly name?: string;
  /** Keep tasks in any of these states. */
  readonly states?: readonly LiveState[];
  /**
   * Keep tasks having every one of these attributes with this value, compared as text
   * (`{ status: '500' }` matches the number 500, `{ cached: 'true' }` the boolean).
   */
  readonly attributes?: Readonly<Record<string, string>>;
}

/** @internal Whether `filter` asks for anything (an empty one keeps every task). */
export function isFilterEmpty(filter: TaskFilter | undefined): boolean {
  return (
    filter === undefined ||
    (filter.name === undefined && (filter.states === undefined || filter.states.length === 0) && Object.keys(filter.attributes ?? {}).length === 0)
  );
}

/** @internal A glob (`*`, `?`, everything else literal) as an anchored regular expression. */
export function globPattern(glob: string): RegExp {
  let source = '';
  for (const ch of glob) {
    if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else source += ch.replace(/[\\^$.+()[\]{}|/-]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

/** @internal A test for one task, built once per filter. */
export function taskMatcher(filter: TaskFilter | undefined): (task: TaskInfo) => boolean {
  if (filter === undefined || isFilterEmpty(filter)) return () => true;
  const name = filter.name === undefined ? null : globPattern(filter.name);
  const states = filter.states === undefined || filter.states.length === 0 ? null : new Set(filter.states);
  const attributes = Object.entries(filter.attributes ?? {});
  return (task) => {
    if (name !== null && !name.test(task.name)) return false;
    if (states !== null && !states.has(liveState(task))) return false;
    for (const [key, value] of attributes) {
      const actual = task.attributes === null || !Object.hasOwn(task.attributes, key) ? undefined : task.attributes[key];
      if (actual === undefined || String(actual) !== value) return false;
    }
    return true;
  };
}

/**
 * The snapshot with only the live tasks that match `filter` (the history of finished tasks is
 * kept as it is). The tasks keep their order; edges to tasks left out (`parentId`, `awaitedBy`,
 * waits) still name them by id.
 *
 * @example
 * ```ts
 * import { run, spawn, sleep } from 'tasktree';
 * import { captureSnapshot, filterSnapshot, formatTable } from 'tasktree/inspect';
 * await run(async () => {
 *   spawn('handler', () => sleep(10), { attributes: { route: '/users' } });
 *   spawn('handler', () => sleep(10), { attributes: { route: '/posts' } });
 *   const users = filterSnapshot(captureSnapshot(), { name: 'hand*', attributes: { route: '/users' } });
 *   console.log(users.tasks.length); // 1
 *   console.log(formatTable(users));
 * });
 * ```
 */
export function filterSnapshot(snapshot: Snapshot, filter: TaskFilter): Snapshot {
  if (isFilterEmpty(filter)) return snapshot;
  const matches = taskMatcher(filter);
  return Object.freeze({ ...snapshot, tasks: Object.freeze(snapshot.tasks.filter(matches)) });
}

/** @internal The tasks a filtered tree shows: the matching ones and their ancestors (the context). */
export interface FilteredTree {
  /** Matching tasks and their ancestors, in snapshot order. */
  readonly tasks: readonly TaskInfo[];
  /** Ids of the tasks shown only because a descendant matches. */
  readonly context: ReadonlySet<string>;
  /** How many tasks match. */
  readonly matched: number;
}

/** @internal The matching tasks of `snapshot` with their ancestors, like `pstree` of a subset of pids. */
export function filterTree(snapshot: Snapshot, filter: TaskFilter | undefined): FilteredTree {
  if (filter === undefined || isFilterEmpty(filter)) return { tasks: snapshot.tasks, context: new Set(), matched: snapshot.tasks.length };
  const matches = taskMatcher(filter);
  const byId = new Map<string, TaskInfo>();
  for (const task of snapshot.tasks) byId.set(task.id, task);
  const shown = new Set<string>();
  const context = new Set<string>();
  let matched = 0;
  for (const task of snapshot.tasks) {
    if (!matches(task)) continue;
    matched++;
    shown.add(task.id);
    context.delete(task.id);
    // Walk up until an ancestor that is shown already (its own ancestors are, too).
    for (let parent = task.parentId; parent !== null && !shown.has(parent); ) {
      const info = byId.get(parent);
      if (info === undefined) break;
      shown.add(parent);
      if (!matches(info)) context.add(parent);
      parent = info.parentId;
    }
  }
  return { tasks: snapshot.tasks.filter((t) => shown.has(t.id)), context, matched };
}

/** @internal The filter in words, for a summary line: `name "h*", state running or cancelling, route=/users`. */
export function describeFilter(filter: TaskFilter | undefined): string {
  if (filter === undefined || isFilterEmpty(filter)) return 'everything';
  const parts: string[] = [];
  if (filter.name !== undefined) parts.push(`name ${JSON.stringify(filter.name)}`);
  if (filter.states !== undefined && filter.states.length > 0) parts.push(`state ${filter.states.join(' or ')}`);
  for (const [key, value] of Object.entries(filter.attributes ?? {})) parts.push(`${key}=${value}`);
  return parts.join(', ');
}
