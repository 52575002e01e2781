/**
 * Everything known about the selected task — live or finished — and its Cancel control. Fields
 * are updated in place (their text, or their list when it changed), so a reader can select text
 * or type a reason while the page updates.
 */
import { cancelText, formatClock, formatDateTime, formatDuration, liveState, waitTarget } from '../format.js';
import type { CancelAction, CancelInfo, CancelOrigin, FinishedInfo, PageTask, StackFrame } from '../protocol.js';
import { postCancel } from './api.js';
import type { Actions, Context } from './context.js';
import { byId, el, renderOnChange, setAttr, setClass, setHidden, setText, taskLink } from './dom.js';

type Field =
  | 'path'
  | 'parent'
  | 'group'
  | 'age'
  | 'created'
  | 'settled'
  | 'duration'
  | 'waiting'
  | 'awaitedBy'
  | 'children'
  | 'cancelled'
  | 'error'
  | 'daemon'
  | 'trace'
  | 'attributes';

const LABELS: Readonly<Record<Field, string>> = {
  path: 'path',
  parent: 'parent',
  group: 'group',
  age: 'age',
  created: 'created',
  settled: 'settled',
  duration: 'duration',
  waiting: 'waiting on',
  awaitedBy: 'awaited by',
  children: 'children',
  cancelled: 'cancellation',
  error: 'error',
  daemon: 'daemon',
  trace: 'trace',
  attributes: 'attributes',
};

const MAX_CHILDREN_SHOWN = 12;

function nodes(...items: (Node | string)[]): Node[] {
  return items.map((item) => (typeof item === 'string' ? document.createTextNode(item) : item));
}

/** `fetch-user, db-posts` as links (separated by commas). */
function links(ids: readonly string[], ctx: Context, limit = Infinity): Node[] {
  const out: Node[] = [];
  ids.slice(0, limit).forEach((id, i) => {
    if (i > 0) out.push(document.createTextNode(', '));
    const known = ctx.names.get(id);
    out.push(taskLink(known ?? id, id, known === undefined ? 'no longer in the snapshot' : `task ${id}`));
  });
  if (ids.length > limit) out.push(document.createTextNode(` and ${ids.length - limit} more`));
  return out;
}

function frameText(frame: StackFrame): string {
  const where = frame.file === null ? '' : frame.line === null ? ` (${frame.file}, moved on)` : ` (${frame.file}:${frame.line}:${frame.column ?? 0})`;
  const branches =
    frame.awaits === undefined
      ? ''
      : ` — awaiting ${frame.awaits.combinator}: ${frame.awaits.branches.map((b) => (b.length === 0 ? 'a promise' : b.map(frameText).join(' ← '))).join(' | ')}`;
  return `${frame.fn === '' ? '<anonymous>' : frame.fn}${where}${branches}`;
}

/** What became of a cancel request, in words. */
export function actionText(action: CancelAction, ctx: Context): string {
  const when = `${formatClock(action.requestedAt)} — “${action.reason}”: `;
  switch (action.status) {
    case 'failed':
      return `${when}refused: ${action.error ?? 'unknown error'}`;
    case 'requested': {
      const task = ctx.live.get(action.taskId);
      const since = action.at === null ? '' : ` ${formatDuration(Math.max(0, action.at - action.requestedAt))} after the request`;
      const waits = task?.waitingOn == null ? '' : ` (waiting on ${waitTarget(task.waitingOn, ctx.names)})`;
      return `${when}requested; still running${since}${waits} — it stops at its next cancellation point, or ignores its signal`;
    }
    case 'settled':
      return `${when}${action.outcome === 'cancelled' ? 'cancelled' : `finished ${action.outcome ?? ''}: it handled the cancellation or completed first, and keeps its result`}${
        action.at === null ? '' : `, ${formatDuration(Math.max(0, action.at - action.requestedAt))} after the request`
      }`;
    case 'gone':
      return `${when}the task is gone (no longer in the snapshot nor in the history)`;
  }
}

export class DetailView {
  private readonly body = byId('detail-body');
  private readonly empty = byId('detail-empty');
  private readonly name = byId('detail-name');
  private readonly id = byId('detail-id');
  private readonly state = byId('detail-state');
  private readonly fields = byId('detail-fields');
  private readonly cancel = byId('detail-cancel');
  private readonly form = byId<HTMLFormElement>('cancel-form');
  private readonly reason = byId<HTMLInputElement>('cancel-reason');
  private readonly button = byId<HTMLButtonElement>('cancel-button');
  private readonly actionsBox = byId('detail-actions');
  private readonly actionsList = byId('detail-actions-list');
  private readonly sites = byId('detail-sites');
  private readonly sitesBody = byId('detail-sites-body');
  private readonly stack = byId('detail-stack');
  private readonly stackList = byId('detail-stack-list');
  private readonly rows = new Map<Field, { dt: HTMLElement; dd: HTMLElement }>();
  private ctx: Context | null = null;
  private sending = false;
  private note: string | null = null;

  constructor(private readonly actions: Actions) {
    for (const field of Object.keys(LABELS) as Field[]) {
      const dt = el('dt', '', LABELS[field]);
      const dd = el('dd', `f-${field}`);
      dt.hidden = true;
      dd.hidden = true;
      this.fields.append(dt, dd);
      this.rows.set(field, { dt, dd });
    }
    byId('detail').addEventListener('click', (event) => {
      const id = (event.target as HTMLElement).closest<HTMLElement>('[data-select]')?.dataset['select'];
      if (id !== undefined) this.actions.select(id, true);
    });
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.submit();
    });
  }

  private set(field: Field, text: string | null): void {
    const row = this.rows.get(field) as { dt: HTMLElement; dd: HTMLElement };
    setHidden(row.dt, text === null);
    setHidden(row.dd, text === null);
    if (text !== null) {
      delete row.dd.dataset['sig'];
      setText(row.dd, text);
    }
  }

  private setNodes(field: Field, signature: string | null, build: () => Node[]): void {
    const row = this.rows.get(field) as { dt: HTMLElement; dd: HTMLElement };
    setHidden(row.dt, signature === null);
    setHidden(row.dd, signature === null);
    if (signature !== null) renderOnChange(row.dd, signature, build);
  }

  render(ctx: Context): void {
    this.ctx = ctx;
    const id = ctx.selected;
    setHidden(this.empty, id !== null);
    setHidden(this.body, id === null);
    if (id === null) return;
    const live = ctx.live.get(id);
    const finished = live === undefined ? ctx.finished.get(id) : undefined;
    this.body.dataset['id'] = id;
    setText(this.id, id);
    if (live !== undefined) this.renderLive(ctx, live);
    else if (finished !== undefined) this.renderFinished(ctx, finished);
    else this.renderUnknown(ctx, id);
    this.renderActions(ctx, id);
    this.renderCancel(ctx, live);
  }

  private pathNodes(ctx: Context, task: { id: string; path: string; parentId: string | null }): Node[] {
    // Ancestors as links while they are live; the path's text otherwise.
    const chain: string[] = [];
    for (let p = task.parentId; p !== null && chain.length < 64; ) {
      const parent = ctx.live.get(p);
      if (parent === undefined) break;
      chain.unshift(parent.id);
      p = parent.parentId;
    }
    const names = task.path.split(' › ');
    const out: Node[] = [];
    const offset = names.length - 1 - chain.length;
    names.forEach((name, i) => {
      if (i > 0) out.push(el('span', 'sep', ' › '));
      const ancestor = i >= offset && i < names.length - 1 ? chain[i - offset] : undefined;
      out.push(ancestor === undefined ? el('span', i === names.length - 1 ? 'here' : '', name) : taskLink(name, ancestor));
    });
    return out;
  }

  private renderLive(ctx: Context, task: PageTask): void {
    const state = liveState(task);
    const deadlocked = ctx.deadlocked.has(task.id);
    setText(this.name, task.name);
    setText(this.state, deadlocked ? `${state} · in a deadlock` : state === 'cancelling' ? 'cancel requested' : state);
    setClass(this.state, `badge b-${deadlocked ? 'deadlock' : state}`);
    this.setNodes('path', task.path, () => this.pathNodes(ctx, task));
    this.setNodes('parent', task.parentId === null ? 'root' : `${task.parentId}:${ctx.names.get(task.parentId) ?? ''}`, () =>
      task.parentId === null ? nodes('– (root task)') : links([task.parentId], ctx),
    );
    this.set('group', task.group);
    this.set('age', formatDuration(task.ageMs));
    this.set('created', formatDateTime(task.createdAt));
    this.set('settled', null);
    this.set('duration', null);
    const wait = task.waitingOn;
    this.setNodes('waiting', wait === null ? 'none' : `${JSON.stringify(wait)}`, () => {
      if (wait === null) return nodes('– (nothing recorded: running, or awaiting something tasktree cannot see)');
      const what = wait.kind === 'task' ? [...nodes(wait.taskIds.length === 1 ? 'task ' : `${wait.taskIds.length} tasks: `), ...links(wait.taskIds, ctx)] : nodes(waitTarget(wait, ctx.names));
      return [...what, ...nodes(` for ${formatDuration(wait.forMs)}`)];
    });
    this.setNodes('awaitedBy', task.awaitedBy.join(','), () => (task.awaitedBy.length === 0 ? nodes('–') : links(task.awaitedBy, ctx)));
    const children = ctx.state.snapshot?.tasks.filter((t) => t.parentId === task.id).map((t) => t.id) ?? [];
    this.setNodes('children', children.slice(0, MAX_CHILDREN_SHOWN + 1).join(',') + children.length, () =>
      children.length === 0 ? nodes('–') : [...nodes(`${children.length}: `), ...links(children, ctx, MAX_CHILDREN_SHOWN)],
    );
    this.setCancelled(ctx, task.cancelled, task.cancelled === null ? '' : ` — ${formatDuration(task.cancelled.forMs)} ago, still running`);
    this.set('error', null);
    this.set('daemon', task.daemon ? 'yes: cancelled once the rest of its scope is done' : null);
    this.set('trace', task.traceId === undefined ? null : `${task.traceId} · span ${task.spanId ?? '–'}`);
    const attributes = task.attributes;
    this.setNodes('attributes', attributes === null ? null : JSON.stringify(attributes), () =>
      Object.entries(attributes ?? {}).map(([key, value]) => {
        const chip = el('span', 'chip');
        chip.append(el('span', 'k', key), el('span', 'v', typeof value === 'string' ? value : String(value)));
        return chip;
      }),
    );
    this.renderSites(task.createdAtSite, task.awaitSite, task.cancelled?.by ?? null);
    this.renderStack(task.stack ?? null);
  }

  private renderFinished(ctx: Context, task: FinishedInfo): void {
    setText(this.name, task.name);
    setText(this.state, `finished · ${task.outcome}`);
    setClass(this.state, `badge b-${task.outcome}`);
    this.setNodes('path', `${task.path}`, () => this.pathNodes(ctx, task));
    this.setNodes('parent', task.parentId === null ? 'root' : `${task.parentId}:${ctx.names.get(task.parentId) ?? ''}`, () =>
      task.parentId === null ? nodes('– (root task)') : links([task.parentId], ctx),
    );
    for (const field of ['group', 'age', 'waiting', 'awaitedBy', 'children', 'daemon', 'attributes'] as const) this.set(field, null);
    this.set('trace', task.traceId === undefined ? null : `${task.traceId} · span ${task.spanId ?? '–'}`);
    this.set('created', formatDateTime(task.createdAt));
    this.set('settled', `${formatClock(task.settledAt)}, ${formatDuration(Math.max(0, ctx.state.serverTime - task.settledAt))} ago`);
    this.set('duration', formatDuration(task.durationMs));
    this.setCancelled(ctx, task.cancelled, '');
    this.set('error', task.error);
    this.renderSites(null, null, task.cancelled?.by ?? null);
    this.renderStack(null);
  }

  private renderUnknown(ctx: Context, id: string): void {
    setText(this.name, ctx.names.get(id) ?? id);
    setText(this.state, 'no longer known');
    setClass(this.state, 'badge b-gone');
    for (const field of Object.keys(LABELS) as Field[]) this.set(field, null);
    this.set('path', 'it finished and left the history the process keeps (setHistoryLimit), or the process restarted');
    this.renderSites(null, null, null);
    this.renderStack(null);
  }

  /** Why, and who asked: the task that called `cancel()` as a link, or the outside source, named. */
  private setCancelled(ctx: Context, info: CancelInfo | null, after: string): void {
    if (info === null) return this.setNodes('cancelled', null, () => []);
    const by = info.by ?? null;
    const asker = by?.source === 'task' ? by.task : null;
    if (asker === null) return this.set('cancelled', `${cancelText(info)}${after}`);
    // The asking task as a link (it may have finished: the link says so), the rest as text.
    const text = cancelText({ ...info, by: null });
    this.setNodes('cancelled', `${text}\u0000${asker.id}\u0000${ctx.names.get(asker.id) ?? ''}\u0000${after}`, () => [
      ...nodes(`${text}; by `),
      taskLink(asker.path, asker.id, ctx.names.has(asker.id) ? `task ${asker.id}` : `task ${asker.id} (no longer in the snapshot)`),
      ...nodes(` [${asker.id}]${after}`),
    ]);
  }

  private renderSites(created: readonly string[] | null, awaited: readonly string[] | null, by: CancelOrigin | null): void {
    const cancelSite = by?.site ?? null;
    setHidden(this.sites, created === null && awaited === null && cancelSite === null);
    renderOnChange(this.sitesBody, JSON.stringify([created, awaited, cancelSite]), () => {
      const out: Node[] = [];
      for (const [title, frames] of [
        ['created at', created],
        ['last awaited a task at', awaited],
        [by?.source === 'abort-signal' ? 'its linked signal was aborted at' : 'cancel() was called at', cancelSite],
      ] as const) {
        if (frames === null || frames.length === 0) continue;
        out.push(el('div', 'site-title', title));
        const list = el('ol', 'frames');
        for (const frame of frames) list.append(el('li', '', frame.trim()));
        out.push(list);
      }
      return out;
    });
  }

  private renderStack(frames: readonly StackFrame[] | null): void {
    setHidden(this.stack, frames === null || frames.length === 0);
    renderOnChange(this.stackList, JSON.stringify(frames), () => (frames ?? []).map((frame) => el('li', '', frameText(frame))));
  }

  private renderActions(ctx: Context, id: string): void {
    const mine = ctx.state.actions.filter((a) => a.taskId === id);
    setHidden(this.actionsBox, mine.length === 0 && this.note === null);
    const texts = mine.map((a) => [a.status, actionText(a, ctx)] as const);
    renderOnChange(this.actionsList, JSON.stringify([texts, this.note]), () => {
      const items = texts.map(([status, text]) => el('li', `action a-${status}`, text));
      if (this.note !== null) items.push(el('li', 'action a-note', this.note));
      return items;
    });
  }

  private renderCancel(ctx: Context, live: PageTask | undefined): void {
    // A recording replayed has no process to cancel in.
    setHidden(this.cancel, live === undefined || ctx.state.replay !== null);
    const reachable = ctx.state.target.status === 'live';
    this.button.disabled = this.sending || !reachable;
    setAttr(this.button, 'title', reachable ? null : 'the process cannot be reached now');
  }

  private async submit(): Promise<void> {
    const ctx = this.ctx;
    const id = ctx?.selected;
    if (ctx == null || id == null || this.sending) return;
    this.sending = true;
    this.note = 'asking the process…';
    this.render(ctx);
    try {
      // What the process did is shown from the actions of the next state, which comes at once.
      await postCancel(id, this.reason.value);
      this.note = null;
      this.reason.value = '';
    } catch (error) {
      this.note = `could not ask: ${(error as Error).message}`;
    } finally {
      this.sending = false;
      if (this.ctx !== null) this.render(this.ctx);
    }
  }
}
