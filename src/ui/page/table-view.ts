/**
 * A sortable table of tasks drawn by a keyed virtual list: the live tasks (Table) and the finished
 * ones (Finished) are two instances with their own columns. Clicking a header sorts by it
 * (again: the other way); clicking a row selects the task.
 */
import type { Sort } from '../table-model.js';
import type { Actions, Context } from './context.js';
import { el, setAttr, setClass, setText } from './dom.js';
import { VirtualList } from './virtual-list.js';

const ROW_HEIGHT = 26;

export interface Column<R> {
  readonly id: string;
  readonly title: string;
  readonly text: (row: R, ctx: Context) => string;
  /** Extra classes of the cell (a state badge). */
  readonly cellClass?: (row: R, ctx: Context) => string;
  /** Sorts descending first (ages, durations). */
  readonly descendingFirst?: boolean;
}

export interface TableViewOptions<R, C extends string> {
  readonly head: HTMLElement;
  readonly container: HTMLElement;
  readonly columns: readonly (Column<R> & { readonly id: C })[];
  readonly initialSort: Sort<C>;
  readonly id: (row: R) => string;
  /** The rows to show for this context and sort (filtering is the caller's). */
  readonly rows: (ctx: Context, sort: Sort<C>) => readonly R[];
  readonly rowClass: (row: R, ctx: Context) => string;
  readonly actions: Actions;
  /** Called after each render with the number of rows shown. */
  readonly counted?: (shown: number) => void;
}

export class TableView<R, C extends string> {
  private sort: Sort<C>;
  private readonly list: VirtualList<R>;
  private ctx: Context | null = null;
  private rows: readonly R[] = [];

  constructor(private readonly options: TableViewOptions<R, C>) {
    this.sort = options.initialSort;
    this.list = new VirtualList<R>({
      container: options.container,
      rowHeight: ROW_HEIGHT,
      key: options.id,
      create: () => {
        const node = el('div', 'row');
        node.setAttribute('role', 'row');
        for (const column of options.columns) node.append(el('span', `cell c-${column.id}`));
        return node;
      },
      update: (node, row) => this.update(node, row),
    });
    for (const column of options.columns) {
      const button = el('button', 'th', column.title);
      button.type = 'button';
      button.dataset['column'] = column.id;
      button.setAttribute('role', 'columnheader');
      button.addEventListener('click', () => this.sortBy(column.id, column.descendingFirst === true));
      options.head.append(button);
    }
    options.container.addEventListener('click', (event) => {
      const key = (event.target as HTMLElement).closest<HTMLElement>('.row')?.dataset['key'];
      if (key !== undefined) options.actions.select(key);
    });
    options.container.addEventListener('keydown', (event) => this.onKey(event));
    this.renderHead();
  }

  render(ctx: Context): void {
    this.ctx = ctx;
    this.rows = this.options.rows(ctx, this.sort);
    this.list.setRows(this.rows);
    this.options.counted?.(this.rows.length);
  }

  /** Scrolls to the row of task `id`, if it is shown. */
  reveal(id: string): void {
    this.list.reveal(id);
  }

  private sortBy(column: C, descendingFirst: boolean): void {
    this.sort = this.sort.column === column ? { column, descending: !this.sort.descending } : { column, descending: descendingFirst };
    this.renderHead();
    if (this.ctx !== null) this.render(this.ctx);
  }

  private renderHead(): void {
    for (const button of this.options.head.querySelectorAll<HTMLElement>('.th')) {
      const active = button.dataset['column'] === this.sort.column;
      setAttr(button, 'aria-sort', active ? (this.sort.descending ? 'descending' : 'ascending') : 'none');
      setClass(button, `th${active ? (this.sort.descending ? ' sorted desc' : ' sorted asc') : ''}`);
    }
  }

  private update(node: HTMLElement, row: R): void {
    const ctx = this.ctx as Context;
    const id = this.options.id(row);
    setClass(node, `row ${this.options.rowClass(row, ctx)}${ctx.selected === id ? ' selected' : ''}`);
    node.dataset['id'] = id;
    const cells = node.children;
    this.options.columns.forEach((column, i) => {
      const cell = cells[i] as HTMLElement;
      const text = column.text(row, ctx);
      setText(cell, text);
      setAttr(cell, 'title', text.length > 24 ? text : null);
      setClass(cell, `cell c-${column.id}${column.cellClass === undefined ? '' : ` ${column.cellClass(row, ctx)}`}`);
    });
  }

  private onKey(event: KeyboardEvent): void {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const ctx = this.ctx;
    if (ctx === null || this.rows.length === 0) return;
    const index = this.rows.findIndex((r) => this.options.id(r) === ctx.selected);
    const next = Math.max(0, Math.min(this.rows.length - 1, index + (event.key === 'ArrowDown' ? 1 : -1)));
    const id = this.options.id(this.rows[next] as R);
    this.options.actions.select(id);
    this.list.reveal(id);
    event.preventDefault();
  }
}
