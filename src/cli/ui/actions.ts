/** The cancellations asked for from the page, and what each one became, read off later snapshots. */
import type { Snapshot } from '../../inspect/schema.js';
import type { CancelAction } from '../../ui/protocol.js';

/** How many actions the page is told about (the latest). */
export const MAX_ACTIONS = 50;

export class CancelActions {
  private list: CancelAction[] = [];
  private seq = 0;

  /** The actions, oldest first. */
  all(): readonly CancelAction[] {
    return this.list;
  }

  /** Records a request the target accepted (`error` null) or refused. */
  add(fields: { taskId: string; name: string; path: string; reason: string; requestedAt: number; error: string | null }): CancelAction {
    const action: CancelAction = {
      seq: ++this.seq,
      ...fields,
      status: fields.error === null ? 'requested' : 'failed',
      outcome: null,
      at: null,
    };
    this.list.push(action);
    if (this.list.length > MAX_ACTIONS) this.list.splice(0, this.list.length - MAX_ACTIONS);
    return action;
  }

  /** Follows every pending request into `snapshot`; says whether anything changed. */
  update(snapshot: Snapshot): boolean {
    let changed = false;
    this.list = this.list.map((action) => {
      if (action.status !== 'requested') return action;
      changed = true;
      if (snapshot.tasks.some((t) => t.id === action.taskId)) return { ...action, at: snapshot.capturedAt };
      const done = snapshot.finished.findLast((t) => t.id === action.taskId);
      if (done !== undefined) return { ...action, status: 'settled', outcome: done.outcome, at: done.settledAt };
      return { ...action, status: 'gone', at: snapshot.capturedAt };
    });
    return changed;
  }
}
