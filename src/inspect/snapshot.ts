import { CancelledError, type Task } from '../core/index.js';
import {
  awaitedTasks,
  describeError,
  finishedTasks,
  isCancelled,
  isFulfilled,
  liveTasks,
  now,
  taskCancellation,
  taskCreated,
  taskRare,
  taskGroup,
  taskResult,
  taskSettled,
  taskWait,
  toEpoch,
  groupInPath,
} from '../core/internal.js';
import { cancelInfo, type OriginCache } from './cancel-info.js';
import type { CancelInfo, FinishedInfo, Snapshot, StacksInfo, TaskInfo, WaitInfo } from './schema.js';
import { currentAwaitSite, siteLines } from './sites.js';
import type { StacksOptions, TaskStack } from './stacks/capture.js';

/** Options of {@link captureSnapshot}. */
export interface SnapshotOptions extends StacksOptions {
  /**
   * Also find where every task is suspended (`stack`): a heap snapshot and V8's async stack walk,
   * which stop the process for a bounded, reported time (`stacks` in the result). The snapshot is
   * then a Promise. Default `false`.
   */
  readonly stacks?: boolean;
  /**
   * Include the recently finished tasks (`finished`). Default `true`; `false` leaves `finished`
   * empty, for a caller that shows only the live tasks (the history holds up to 1,000 tasks, most
   * of a snapshot's size in a busy process).
   */
  readonly finished?: boolean;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * A snapshot of every live task in the process — both edge kinds (spawned-by through
 * `parentId`, awaited-by through `awaitedBy`), states, ages, what each waits on and for how long,
 * attributes, debug-mode sites — plus the recently finished tasks. Frozen plain data
 * (`formatVersion: 1`), ready for `JSON.stringify` and the formatters.
 *
 * @example
 * ```ts
 * import { run, spawn, sleep } from 'tasktree';
 * import { captureSnapshot } from 'tasktree/inspect';
 * await run(async () => {
 *   spawn('worker', () => sleep(10));
 *   const snapshot = captureSnapshot();
 *   console.log(snapshot.tasks.map((t) => t.path)); // ['main', 'main › worker']
 * });
 * ```
 */
export function captureSnapshot(options?: SnapshotOptions & { readonly stacks?: false }): Snapshot;
export function captureSnapshot(options: SnapshotOptions & { readonly stacks: true }): Promise<Snapshot>;
export function captureSnapshot(options?: SnapshotOptions): Snapshot | Promise<Snapshot>;
export function captureSnapshot(options?: SnapshotOptions): Snapshot | Promise<Snapshot> {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new TypeError(`captureSnapshot(options): expected options to be an object, got ${String(options)} (${typeof options})`);
  }
  const finished = options?.finished;
  if (finished !== undefined && typeof finished !== 'boolean') {
    throw new TypeError(`captureSnapshot(options): expected options.finished to be a boolean, got ${String(finished)} (${typeof finished})`);
  }
  const at = now();
  const tasks = liveTasks();
  const infos = taskInfos(tasks, at);
  const history = finished !== false;
  if (options?.stacks !== true) return finish(infos, at, history, null, null);
  return import('./stacks/capture.js').then(({ captureStacks }) =>
    captureStacks(tasks, options).then((result) => finish(infos, at, history, result.stacks, result.info, tasks)),
  );
}

const NONE_FINISHED: readonly FinishedInfo[] = Object.freeze([]);

function finish(
  infos: Mutable<TaskInfo>[],
  at: number,
  history: boolean,
  stacks: ReadonlyMap<Task, TaskStack> | null,
  info: StacksInfo | null,
  tasks?: readonly Task[],
): Snapshot {
  if (stacks !== null && tasks !== undefined) {
    for (let i = 0; i < infos.length; i++) {
      const stack = stacks.get(tasks[i] as Task);
      const target = infos[i] as Mutable<TaskInfo>;
      target.stack = stack === undefined ? EMPTY_FRAMES : freezeFrames(stack.frames);
      target.stackReason = stack === undefined ? 'not-found' : stack.reason;
    }
  }
  for (const task of infos) Object.freeze(task);
  let finished = NONE_FINISHED;
  if (history) {
    const origins: OriginCache = new Map();
    finished = Object.freeze(finishedTasks().map((task) => finishedInfo(task, origins)));
  }
  return Object.freeze({
    formatVersion: 1,
    pid: process.pid,
    node: process.version,
    capturedAt: toEpoch(at),
    tasks: Object.freeze(infos),
    finished,
    stacks: info,
  });
}

const EMPTY_FRAMES: TaskInfo['stack'] = Object.freeze([]);

function freezeFrames(frames: NonNullable<TaskInfo['stack']>): NonNullable<TaskInfo['stack']> {
  for (const frame of frames) {
    if (frame.awaits !== undefined) {
      for (const branch of frame.awaits.branches) freezeFrames(branch);
      Object.freeze(frame.awaits.branches);
      Object.freeze(frame.awaits);
    }
    Object.freeze(frame);
  }
  return Object.freeze(frames);
}

/** The registry's part of each task's record, read now (unfrozen: the stacks may be added). */
function taskInfos(tasks: readonly Task[], at: number): Mutable<TaskInfo>[] {
  const ids = new Map<Task, string>();
  for (const task of tasks) ids.set(task, task.id);

  // Awaited-by edges are the reverse of each task's wait on tasks.
  const awaitedBy = new Map<Task, string[]>();
  for (const task of tasks) {
    for (const target of awaitedTasks(task)) {
      const list = awaitedBy.get(target);
      const id = ids.get(task) as string;
      if (list === undefined) awaitedBy.set(target, [id]);
      else list.push(id);
    }
  }

  const paths = new Map<Task, string>();
  const origins: OriginCache = new Map();
  const infos: Mutable<TaskInfo>[] = new Array<Mutable<TaskInfo>>(tasks.length);
  for (let i = 0; i < tasks.length; i++) {
    const task = tasks[i] as Task;
    const parent = task.parent;
    const parentPath = parent === undefined ? undefined : paths.get(parent);
    const namedGroup = groupInPath(taskGroup(task)) ?? null;
    const own = namedGroup === null ? task.name : `${namedGroup} › ${task.name}`;
    const path = parent === undefined ? own : `${parentPath ?? parent.path} › ${own}`;
    paths.set(task, path);
    const rare = taskRare(task);
    const cancel = taskCancellation(task);
    const created = taskCreated(task);
    const info: Mutable<TaskInfo> = {
      id: ids.get(task) as string,
      name: task.name,
      path,
      parentId: parent === undefined ? null : (ids.get(parent) ?? parent.id),
      group: taskGroup(task).name,
      namedGroup,
      state: task.state as 'queued' | 'running',
      daemon: task.daemon,
      createdAt: toEpoch(created),
      ageMs: at - created,
      waitingOn: waitInfo(task, ids, at),
      awaitedBy: frozenList(awaitedBy.get(task)),
      cancelled: cancel === undefined ? null : Object.freeze({ ...cancelInfo(cancel, false, origins), forMs: at - cancel._at }),
      attributes: rare?.attributes === undefined ? null : Object.freeze({ ...rare.attributes }),
      createdAtSite: siteLines(rare?.createdSite),
      awaitSite: currentAwaitSite(task),
      stack: null,
      stackReason: null,
    };
    const tracer = rare?.tracer;
    if (tracer !== undefined) {
      info.traceId = tracer.traceId;
      info.spanId = tracer.spanId;
    }
    infos[i] = info;
  }
  return infos;
}

const EMPTY: readonly string[] = Object.freeze([]);
function frozenList(list: string[] | undefined): readonly string[] {
  return list === undefined ? EMPTY : Object.freeze(list);
}

function waitInfo(task: Task, ids: Map<Task, string>, at: number): WaitInfo | null {
  const wait = taskWait(task);
  if (wait === undefined) return null;
  const forMs = at - wait.since;
  switch (wait.kind) {
    case 'task': {
      const taskIds = Object.freeze(wait.tasks.map((t) => ids.get(t) ?? t.id));
      if (wait.below === undefined) return Object.freeze({ kind: 'task', taskIds, forMs, exclusive: wait.exclusive });
      const below = Object.freeze({ group: wait.below.group.name, n: wait.below.n });
      return Object.freeze({ kind: 'task', taskIds, forMs, exclusive: wait.exclusive, below });
    }
    case 'group':
      return Object.freeze({ kind: 'group', group: wait.group.name, forMs, taskIds: Object.freeze(wait.tasks.map((t) => ids.get(t) ?? t.id)) });
    case 'queue':
      return Object.freeze({ kind: 'queue', group: wait.group.name, forMs });
    case 'sleep':
      return Object.freeze({ kind: 'sleep', ms: wait.ms, forMs });
    case 'promise':
      return Object.freeze({ kind: 'promise', label: wait.label, forMs });
  }
}

/** @internal The history entry of a settled task. */
export function finishedInfo(task: Task, origins?: OriginCache): FinishedInfo {
  const created = taskCreated(task);
  const settled = taskSettled(task);
  const cancel = taskCancellation(task);
  const outcome = isFulfilled(task) ? 'fulfilled' : isCancelled(task) ? 'cancelled' : 'rejected';
  // Not cancelled itself, it ended cancelled by letting another's cancellation through: that one.
  const result = cancel === undefined && outcome === 'cancelled' ? taskResult(task) : undefined;
  const info: CancelInfo | null =
    cancel !== undefined ? cancelInfo(cancel, false, origins) : result instanceof CancelledError ? cancelInfo(result, true, origins) : null;
  return Object.freeze({
    id: task.id,
    name: task.name,
    path: task.path,
    parentId: task.parent === undefined ? null : task.parent.id,
    outcome,
    createdAt: toEpoch(created),
    settledAt: toEpoch(settled),
    durationMs: settled - created,
    error: outcome === 'rejected' ? describeError(taskResult(task)) : null,
    cancelled: info,
    ...traceIds(task),
  });
}

/** The trace and span the task is, while tasktree/otel follows it (or followed it: in the history). */
function traceIds(task: Task): { traceId: string; spanId: string } | undefined {
  const tracer = taskRare(task)?.tracer;
  return tracer === undefined ? undefined : { traceId: tracer.traceId, spanId: tracer.spanId };
}
