/**
 * Lifecycle events read off successive snapshots — what the CLI can know without a recorder in
 * the target. Exact: creation (`createdAt`), the start of a wait (`capturedAt - forMs`), a
 * cancellation request (`capturedAt - cancelled.forMs`) and settling (`finished[].settledAt`).
 * Known to within one poll: a queued task's start and the end of a wait.
 */
import type { Snapshot, TaskInfo, WaitInfo } from '../../inspect/schema.js';
import type { LifecycleEvent } from './timeline.js';

interface Seen {
  readonly state: TaskInfo['state'];
  /** The wait's label and start, or `null`. */
  readonly wait: string | null;
  readonly cancelled: boolean;
}

/** A short label for a wait: `db.query`, `task fetch-user`, `sleep 100 ms`, `group 'pool'`. */
export function waitLabel(wait: WaitInfo, names: ReadonlyMap<string, string>): string {
  switch (wait.kind) {
    case 'task': {
      const shown = wait.taskIds.slice(0, 2).map((id) => names.get(id) ?? id);
      const more = wait.taskIds.length > 2 ? ` +${wait.taskIds.length - 2}` : '';
      return `${wait.taskIds.length === 1 ? 'task' : 'tasks'} ${shown.join(', ')}${more}`;
    }
    case 'group':
      return `group '${wait.group}'`;
    case 'queue':
      return `a slot in '${wait.group}'`;
    case 'sleep':
      return `sleep ${wait.ms} ms`;
    case 'promise':
      return wait.label;
  }
}

/** Turns each new snapshot into the events that happened since the one before. */
export class SnapshotEvents {
  private live = new Map<string, Seen>();
  /** Finished ids already turned into events (bounded by the target's history). */
  private settled = new Set<string>();

  /** The events between the previous snapshot given and `snapshot`. */
  next(snapshot: Snapshot): LifecycleEvent[] {
    const events: LifecycleEvent[] = [];
    const at = snapshot.capturedAt;
    const names = new Map<string, string>();
    for (const task of snapshot.tasks) names.set(task.id, task.name);
    const live = new Map<string, Seen>();

    for (const task of snapshot.tasks) {
      const before = this.live.get(task.id);
      const waitStart = task.waitingOn === null ? null : Math.round(at - task.waitingOn.forMs);
      const wait = task.waitingOn === null ? null : `${waitLabel(task.waitingOn, names)}\u0000${waitStart}`;
      if (before === undefined) {
        events.push({ type: 'spawn', at: task.createdAt, id: task.id, name: task.name, parentId: task.parentId, state: task.state });
      } else if (before.state === 'queued' && task.state === 'running') {
        events.push({ type: 'start', at: waitStart ?? at, id: task.id });
      }
      if (wait !== (before?.wait ?? null)) {
        if (task.waitingOn !== null && task.state === 'running') {
          events.push({ type: 'wait', at: waitStart as number, id: task.id, label: waitLabel(task.waitingOn, names) });
        } else if (before?.wait != null) {
          events.push({ type: 'resume', at, id: task.id });
        }
      }
      if (task.cancelled !== null && before?.cancelled !== true) {
        events.push({ type: 'cancel', at: Math.round(at - task.cancelled.forMs), id: task.id });
      }
      live.set(task.id, { state: task.state, wait: task.state === 'running' ? wait : null, cancelled: task.cancelled !== null });
    }

    const finishedNow = new Set<string>();
    for (const done of snapshot.finished) {
      finishedNow.add(done.id);
      if (this.settled.has(done.id)) continue;
      this.settled.add(done.id);
      if (!this.live.has(done.id)) {
        // Lived and died between two snapshots: all we know is its creation and its end.
        events.push({ type: 'spawn', at: done.createdAt, id: done.id, name: done.name, parentId: done.parentId, state: 'running' });
      }
      if (done.cancelled !== null) events.push({ type: 'cancel', at: done.settledAt, id: done.id });
      events.push({ type: 'settle', at: done.settledAt, id: done.id, outcome: done.outcome });
    }
    for (const id of this.live.keys()) {
      if (!live.has(id) && !finishedNow.has(id)) events.push({ type: 'settle', at, id, outcome: 'gone' });
    }
    // Forget finished ids the target's history no longer holds: they cannot come back.
    for (const id of this.settled) if (!finishedNow.has(id)) this.settled.delete(id);
    this.live = live;
    return events;
  }
}
