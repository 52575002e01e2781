/**
 * Replaying a flight recording: the snapshot the process would have answered at any time the
 * recording covers (its live tasks with their state, wait, cancellation and awaited-by edges; the
 * tasks finished by then), and the recording's events as the timeline's lifecycle events. Pure.
 */
import type { InitialTask, RecordedEvent, RecordedTask, RecordedWait, Recording } from '../../inspect/recording-schema.js';
import type { CancelInfo, FinishedInfo, Snapshot, TaskInfo, WaitInfo } from '../../inspect/schema.js';
import type { LifecycleEvent } from './timeline.js';
import { waitLabel } from './snapshot-events.js';

/** Checks that `value` (parsed JSON) is a recording this version reads; a string says why not. */
export function checkRecording(value: unknown): Recording | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'it is not a JSON object';
  const version = (value as { recordingVersion?: unknown }).recordingVersion;
  if (version === undefined) return 'it is not a tasktree recording (no recordingVersion; write one with tasktree record PID)';
  if (version !== 1) return `it is a recording in format ${JSON.stringify(version)}; this tasktree reads format 1`;
  const r = value as Partial<Recording>;
  if (!Array.isArray(r.tasks) || !Array.isArray(r.events) || !Array.isArray(r.initial) || typeof r.startedAt !== 'number' || typeof r.capturedAt !== 'number') {
    return 'it is an incomplete recording (tasks, events, initial, startedAt and capturedAt are required)';
  }
  return value as Recording;
}

interface TaskState {
  queued: boolean;
  wait: (RecordedWait & { since: number }) | null;
  cancel: { info: CancelInfo; at: number } | null;
  settled: Extract<RecordedEvent, { type: 'settle' }> | null;
}

function waitInfo(wait: RecordedWait & { since: number }, at: number): WaitInfo {
  const forMs = Math.max(0, Math.round(at - wait.since));
  switch (wait.kind) {
    case 'task':
      return wait.below === undefined ? { kind: 'task', taskIds: wait.taskIds, forMs, exclusive: wait.exclusive } : { kind: 'task', taskIds: wait.taskIds, forMs, exclusive: wait.exclusive, below: wait.below };
    case 'group':
      return { kind: 'group', group: wait.group, forMs };
    case 'sleep':
      return { kind: 'sleep', ms: wait.ms, forMs };
    case 'promise':
      return { kind: 'promise', label: wait.label, forMs };
  }
}

/** The replay of one recording: {@link Replay.snapshotAt} any time in `[start, end]`. */
export class Replay {
  readonly start: number;
  readonly end: number;
  private readonly tasks: ReadonlyMap<string, RecordedTask>;
  private readonly initial: ReadonlyMap<string, InitialTask>;

  constructor(readonly recording: Recording) {
    this.start = recording.completeSince ?? recording.startedAt;
    this.end = recording.capturedAt;
    this.tasks = new Map(recording.tasks.map((t) => [t.id, t]));
    this.initial = new Map(recording.initial.map((t) => [t.id, t]));
  }

  /** The time `at` brought within the recording. */
  clamp(at: number): number {
    return Math.min(this.end, Math.max(this.start, at));
  }

  private statesAt(at: number): Map<string, TaskState> {
    const states = new Map<string, TaskState>();
    for (const task of this.recording.tasks) {
      if (task.createdAt > at) continue;
      const initial = this.initial.get(task.id);
      states.set(task.id, {
        queued: initial?.state === 'queued',
        wait: initial?.waitingOn ?? null,
        cancel: initial?.cancelled == null ? null : { info: initial.cancelled, at: this.recording.startedAt },
        settled: null,
      });
    }
    for (const event of this.recording.events) {
      if (event.at > at) break;
      const state = states.get(event.id);
      if (state === undefined || state.settled !== null) continue;
      switch (event.type) {
        case 'spawn':
          state.queued = event.queued;
          break;
        case 'start':
          state.queued = false;
          break;
        case 'wait':
          state.wait = { ...event.on, since: event.at };
          break;
        case 'resume':
          state.wait = null;
          break;
        case 'cancel':
          state.cancel ??= { info: event.cancelled, at: event.at };
          break;
        case 'settle':
          state.settled = event;
      }
    }
    return states;
  }

  /** The snapshot at `at` (epoch ms, within the recording), as the live page reads one. */
  snapshotAt(at: number): Snapshot {
    const states = this.statesAt(at);
    const live: RecordedTask[] = [];
    const finished: FinishedInfo[] = [];
    for (const [id, state] of states) {
      const task = this.tasks.get(id) as RecordedTask;
      if (state.settled === null) live.push(task);
      else {
        const settled = state.settled;
        finished.push({
          id,
          name: task.name,
          path: task.path,
          parentId: task.parentId,
          outcome: settled.outcome,
          createdAt: task.createdAt,
          settledAt: settled.at,
          durationMs: Math.round(settled.at - task.createdAt),
          error: settled.error,
          cancelled: settled.cancelled,
        });
      }
    }
    finished.sort((a, b) => a.settledAt - b.settledAt);
    const liveIds = new Set(live.map((t) => t.id));
    const awaitedBy = new Map<string, string[]>();
    for (const task of live) {
      const wait = (states.get(task.id) as TaskState).wait;
      if (wait?.kind !== 'task') continue;
      for (const target of wait.taskIds) if (liveIds.has(target)) (awaitedBy.get(target) ?? awaitedBy.set(target, []).get(target))?.push(task.id);
    }
    const infos = depthFirst(live).map((task): TaskInfo => {
      const state = states.get(task.id) as TaskState;
      const wait = state.wait === null ? null : waitInfo(liveWait(state.wait, liveIds), at);
      return {
        id: task.id,
        name: task.name,
        path: task.path,
        parentId: task.parentId,
        group: task.group,
        namedGroup: task.namedGroup,
        state: state.queued ? 'queued' : 'running',
        daemon: task.daemon,
        createdAt: task.createdAt,
        ageMs: Math.max(0, Math.round(at - task.createdAt)),
        waitingOn: wait?.kind === 'task' && wait.taskIds.length === 0 ? null : wait,
        awaitedBy: awaitedBy.get(task.id) ?? [],
        cancelled: state.cancel === null ? null : { ...state.cancel.info, forMs: Math.max(0, Math.round(at - state.cancel.at)) },
        attributes: task.attributes,
        createdAtSite: null,
        awaitSite: null,
        stack: null,
        stackReason: null,
      };
    });
    return { formatVersion: 1, pid: this.recording.pid, node: this.recording.node, capturedAt: at, tasks: infos, finished, stacks: null };
  }

  /** The recording's events as the timeline's, in order. */
  lifecycleEvents(): LifecycleEvent[] {
    const out: LifecycleEvent[] = [];
    const names = new Map([...this.tasks.values()].map((t) => [t.id, t.name]));
    const spawned = new Set<string>();
    const spawn = (task: RecordedTask, queued: boolean): void => {
      if (spawned.has(task.id)) return;
      spawned.add(task.id);
      out.push({ type: 'spawn', at: task.createdAt, id: task.id, name: task.name, parentId: task.parentId, state: queued ? 'queued' : 'running' });
    };
    for (const task of this.recording.tasks) {
      const initial = this.initial.get(task.id);
      if (initial === undefined) continue;
      spawn(task, initial.state === 'queued');
      if (initial.waitingOn !== null) out.push({ type: 'wait', at: initial.waitingOn.since, id: task.id, label: waitLabel(waitInfo(initial.waitingOn, 0), names) });
      if (initial.cancelled !== null) out.push({ type: 'cancel', at: this.recording.startedAt, id: task.id });
    }
    for (const event of this.recording.events) {
      const task = this.tasks.get(event.id);
      if (task === undefined) continue;
      if (event.type !== 'spawn') spawn(task, false);
      switch (event.type) {
        case 'spawn':
          spawn(task, event.queued);
          break;
        case 'start':
          out.push({ type: 'start', at: event.at, id: event.id });
          break;
        case 'wait':
          out.push({ type: 'wait', at: event.at, id: event.id, label: waitLabel(waitInfo({ ...event.on, since: event.at }, event.at), names) });
          break;
        case 'resume':
          out.push({ type: 'resume', at: event.at, id: event.id });
          break;
        case 'cancel':
          out.push({ type: 'cancel', at: event.at, id: event.id });
          break;
        case 'settle':
          out.push({ type: 'settle', at: event.at, id: event.id, outcome: event.outcome });
      }
    }
    return out;
  }
}

/** A wait on tasks keeps only the tasks still live (as a snapshot shows it). */
function liveWait(wait: RecordedWait & { since: number }, live: ReadonlySet<string>): RecordedWait & { since: number } {
  return wait.kind === 'task' ? { ...wait, taskIds: wait.taskIds.filter((id) => live.has(id)) } : wait;
}

/** Parents before their children, siblings by age (as a snapshot lists them). */
function depthFirst(tasks: readonly RecordedTask[]): RecordedTask[] {
  const ids = new Set(tasks.map((t) => t.id));
  const children = new Map<string | null, RecordedTask[]>();
  for (const task of tasks) {
    const parent = task.parentId !== null && ids.has(task.parentId) ? task.parentId : null;
    (children.get(parent) ?? children.set(parent, []).get(parent))?.push(task);
  }
  const out: RecordedTask[] = [];
  const visit = (parent: string | null): void => {
    for (const task of (children.get(parent) ?? []).sort((a, b) => a.createdAt - b.createdAt)) {
      out.push(task);
      visit(task.id);
    }
  };
  visit(null);
  return out;
}
