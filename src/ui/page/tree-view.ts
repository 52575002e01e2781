/**
 * The live task tree: rows from tree-model.ts drawn by a keyed virtual list. Open and closed
 * rows are remembered by key, so they survive every update; deadlocks get a banner and red rows.
 */
import { formatDuration, liveState, waitTarget, waitText } from '../format.js';
import type { PageTask } from '../protocol.js';
import { attributesText } from '../table-model.js';
import { revealKeys, treeRows } from '../tree-model.js';
import type { TreeRow } from '../tree-model.js';
import type { Actions, Context } from './context.js';
import { el, setAttr, setClass, setHidden, setText, taskLink } from './dom.js';
import { VirtualList } from './virtual-list.js';

const ROW_HEIGHT = 26;
const INDENT_PX = 18;
/** Deeper rows stop indenting (the depth is still shown on hover). */
const MAX_INDENT = 40;

function parts(node: HTMLElement): HTMLElement[] {
  return [...node.children] as HTMLElement[];
}

function runNames(tasks: readonly PageTask[]): string {
  const first = tasks[0]?.name ?? '';
  const last = tasks[tasks.length - 1]?.name ?? '';
  return first === last ? first : `${first} … ${last}`;
}

function ageRange(tasks: readonly PageTask[]): string {
  let min = Infinity;
  let max = 0;
  for (const t of tasks) {
    min = Math.min(min, t.ageMs);
    max = Math.max(max, t.ageMs);
  }
  const a = formatDuration(min);
  const b = formatDuration(max);
  return a === b ? a : `${a}–${b}`;
}

export class TreeView {
  private readonly collapsed = new Set<string>();
  private readonly expandedRuns = new Set<string>();
  private readonly list: VirtualList<TreeRow>;
  private ctx: Context | null = null;
  private rows: TreeRow[] = [];

  constructor(
    container: HTMLElement,
    private readonly banner: HTMLElement,
    private readonly empty: HTMLElement,
    private readonly actions: Actions,
  ) {
    this.list = new VirtualList<TreeRow>({
      container,
      rowHeight: ROW_HEIGHT,
      key: (row) => row.key,
      kind: (row) => row.kind,
      create: (row) => this.create(row),
      update: (node, row) => this.update(node, row),
    });
    container.addEventListener('click', (event) => this.onClick(event));
    container.addEventListener('keydown', (event) => this.onKey(event));
    banner.addEventListener('click', (event) => {
      const id = (event.target as HTMLElement).closest<HTMLElement>('[data-select]')?.dataset['select'];
      if (id !== undefined) actions.select(id, true);
    });
  }

  render(ctx: Context): void {
    this.ctx = ctx;
    const snapshot = ctx.state.snapshot;
    this.rows = snapshot === null ? [] : treeRows(snapshot, { collapsed: this.collapsed, expandedRuns: this.expandedRuns, deadlocked: ctx.deadlocked });
    this.list.setRows(this.rows);
    setHidden(this.empty, snapshot === null || this.rows.length > 0);
    this.renderDeadlocks(ctx);
  }

  /** Opens the tree down to task `id` and scrolls to it. */
  reveal(id: string): void {
    const snapshot = this.ctx?.state.snapshot;
    if (snapshot == null || this.ctx === null) return;
    const { open, runs } = revealKeys(snapshot, id, this.ctx.deadlocked);
    for (const key of open) this.collapsed.delete(key);
    for (const key of runs) this.expandedRuns.add(key);
    this.render(this.ctx);
    this.list.reveal(id);
  }

  private renderDeadlocks(ctx: Context): void {
    const cycles = ctx.state.deadlocks;
    setHidden(this.banner, cycles.length === 0);
    const signature = JSON.stringify(cycles);
    if (this.banner.dataset['sig'] === signature) return;
    this.banner.dataset['sig'] = signature;
    const items = cycles.map((cycle) => {
      const line = el('div', 'cycle');
      line.append(el('strong', '', cycles.length === 1 ? 'Deadlock: ' : 'Deadlock cycle: '));
      [...cycle, cycle[0] as string].forEach((id, i) => {
        if (i > 0) line.append(el('span', 'arrow', ' → '));
        line.append(taskLink(ctx.names.get(id) ?? id, id, `task ${id}`));
      });
      line.append(el('span', 'muted', ' — these tasks await each other; cancelling one of them breaks the cycle.'));
      return line;
    });
    this.banner.replaceChildren(...items);
  }

  private create(row: TreeRow): HTMLElement {
    const node = el('div', 'row');
    node.setAttribute('role', 'treeitem');
    const twisty = el('span', 'twisty');
    twisty.setAttribute('aria-hidden', 'true');
    if (row.kind === 'task') node.append(twisty, el('span', 'name'), el('span', 'id'), el('span', 'badge'), el('span', 'age'), el('span', 'wait'), el('span', 'attrs'));
    else if (row.kind === 'run') node.append(twisty, el('span', 'times'), el('span', 'name'), el('span', 'badge'), el('span', 'age'), el('span', 'wait'));
    else node.append(twisty, el('span', 'group-label', 'group'), el('span', 'name'), el('span', 'muted'));
    return node;
  }

  private update(node: HTMLElement, row: TreeRow): void {
    const ctx = this.ctx as Context;
    const indent = `${Math.min(row.depth, MAX_INDENT) * INDENT_PX + 6}px`;
    if (node.style.paddingLeft !== indent) node.style.paddingLeft = indent;
    setAttr(node, 'aria-level', String(row.depth + 1));
    setAttr(node, 'aria-expanded', row.expandable ? String(row.open) : null);
    setAttr(node, 'title', row.depth > MAX_INDENT ? `depth ${row.depth}` : null);
    const [twisty] = parts(node) as [HTMLElement];
    setText(twisty, row.expandable ? (row.open ? '▾' : '▸') : '');
    if (row.kind === 'task') {
      const { task } = row;
      const state = liveState(task);
      const selected = ctx.selected === task.id;
      setClass(node, `row task s-${state}${row.deadlocked ? ' deadlocked' : ''}${selected ? ' selected' : ''}${task.daemon ? ' daemon' : ''}`);
      setAttr(node, 'aria-selected', String(selected));
      node.dataset['id'] = task.id;
      const [, name, id, badge, age, wait, attrs] = parts(node) as HTMLElement[];
      setText(name as HTMLElement, task.name);
      setText(id as HTMLElement, task.id);
      setText(badge as HTMLElement, row.deadlocked ? 'deadlock' : state === 'cancelling' ? 'cancel requested' : state);
      setClass(badge as HTMLElement, `badge b-${row.deadlocked ? 'deadlock' : state}`);
      setText(age as HTMLElement, formatDuration(task.ageMs));
      setText(wait as HTMLElement, waitText(task.waitingOn, ctx.names));
      setText(attrs as HTMLElement, attributesText(task.attributes));
    } else if (row.kind === 'run') {
      const first = row.tasks[0] as PageTask;
      const state = liveState(first);
      const selected = ctx.selected !== null && row.tasks.some((t) => t.id === ctx.selected);
      setClass(node, `row run s-${state}${selected ? ' selected-inside' : ''}`);
      delete node.dataset['id'];
      const [, times, name, badge, age, wait] = parts(node) as HTMLElement[];
      setText(times as HTMLElement, `×${row.tasks.length}`);
      setText(name as HTMLElement, runNames(row.tasks));
      setText(badge as HTMLElement, state === 'cancelling' ? 'cancel requested' : state);
      setClass(badge as HTMLElement, `badge b-${state}`);
      setText(age as HTMLElement, ageRange(row.tasks));
      // The first task's targets by name only: ids would mislead on a row that stands for many.
      setText(wait as HTMLElement, first.waitingOn === null ? '' : `waiting on ${waitTarget(first.waitingOn, ctx.names)}`);
    } else {
      setClass(node, 'row group');
      delete node.dataset['id'];
      const [, , name, count] = parts(node) as HTMLElement[];
      setText(name as HTMLElement, row.name);
      setText(count as HTMLElement, `${row.count} ${row.count === 1 ? 'task' : 'tasks'}`);
    }
  }

  private toggle(row: TreeRow): void {
    if (row.kind === 'run') {
      if (row.open) this.expandedRuns.delete(row.key);
      else this.expandedRuns.add(row.key);
    } else if (row.open) this.collapsed.add(row.key);
    else this.collapsed.delete(row.key);
    if (this.ctx !== null) this.render(this.ctx);
  }

  private rowOf(target: EventTarget | null): TreeRow | undefined {
    const key = (target as HTMLElement | null)?.closest<HTMLElement>('.row')?.dataset['key'];
    return key === undefined ? undefined : this.rows.find((r) => r.key === key);
  }

  private onClick(event: MouseEvent): void {
    const row = this.rowOf(event.target);
    if (row === undefined) return;
    const onTwisty = (event.target as HTMLElement).classList.contains('twisty');
    if (row.kind === 'task' && !onTwisty) this.actions.select(row.task.id);
    else if (row.expandable) this.toggle(row);
  }

  private onKey(event: KeyboardEvent): void {
    const ctx = this.ctx;
    if (ctx === null) return;
    const index = this.rows.findIndex((r) => r.kind === 'task' && r.task.id === ctx.selected);
    const row = this.rows[index];
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      const step = event.key === 'ArrowDown' ? 1 : -1;
      for (let i = index + step; i >= 0 && i < this.rows.length; i += step) {
        const next = this.rows[i] as TreeRow;
        if (next.kind === 'task') {
          this.actions.select(next.task.id);
          this.list.reveal(next.key);
          break;
        }
      }
      event.preventDefault();
    } else if ((event.key === 'ArrowRight' || event.key === 'ArrowLeft') && row !== undefined && row.expandable) {
      if (row.open === (event.key === 'ArrowLeft')) this.toggle(row);
      event.preventDefault();
    }
  }
}
