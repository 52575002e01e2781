/**
 * A list of fixed-height rows of which only those in view are in the DOM (10,000 tasks make
 * ≈40 row elements). Rows are keyed: an update reuses each row's element and changes only the
 * text that changed, so nothing flickers and the scroll position, focus and text selection stay.
 */
import { el } from './dom.js';

/** Rows drawn above and below the visible ones, so fast scrolling shows no gaps. */
const OVERSCAN = 8;

export interface VirtualListOptions<R> {
  /** The scrolling element. */
  readonly container: HTMLElement;
  readonly rowHeight: number;
  readonly key: (row: R) => string;
  /** A new, empty row element (with its parts); the list positions it. */
  readonly create: (row: R) => HTMLElement;
  /** Fills a row element for `row` (called on every render for the rows in view). */
  readonly update: (node: HTMLElement, row: R, index: number) => void;
  /** A row element can only show rows of the same kind: a different kind gets a new element. */
  readonly kind?: (row: R) => string;
}

export class VirtualList<R> {
  private rows: readonly R[] = [];
  private readonly nodes = new Map<string, HTMLElement>();
  private readonly body: HTMLElement;
  private frame = 0;

  constructor(private readonly options: VirtualListOptions<R>) {
    this.body = el('div', 'vl-body');
    options.container.append(this.body);
    options.container.addEventListener('scroll', () => this.schedule(), { passive: true });
    new ResizeObserver(() => this.schedule()).observe(options.container);
  }

  get length(): number {
    return this.rows.length;
  }

  rowAt(index: number): R | undefined {
    return this.rows[index];
  }

  indexOf(key: string): number {
    return this.rows.findIndex((row) => this.options.key(row) === key);
  }

  setRows(rows: readonly R[]): void {
    this.rows = rows;
    this.render();
  }

  private schedule(): void {
    if (this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  /** Draws the rows in view. */
  render(): void {
    const { container, rowHeight, key, create, update, kind } = this.options;
    const height = `${this.rows.length * rowHeight}px`;
    if (this.body.style.height !== height) this.body.style.height = height;
    const top = container.scrollTop;
    const first = Math.max(0, Math.floor(top / rowHeight) - OVERSCAN);
    const last = Math.min(this.rows.length, Math.ceil((top + container.clientHeight) / rowHeight) + OVERSCAN);
    const shown = new Set<string>();
    for (let i = first; i < last; i++) {
      const row = this.rows[i] as R;
      const k = key(row);
      shown.add(k);
      let node = this.nodes.get(k);
      if (node !== undefined && kind !== undefined && node.dataset['kind'] !== kind(row)) {
        node.remove();
        node = undefined;
      }
      if (node === undefined) {
        node = create(row);
        node.dataset['key'] = k;
        if (kind !== undefined) node.dataset['kind'] = kind(row);
        this.nodes.set(k, node);
        this.body.append(node);
      }
      const y = `translateY(${i * rowHeight}px)`;
      if (node.style.transform !== y) node.style.transform = y;
      // Rows stay in the DOM in the order they were made; this says where each one is shown.
      const position = String(i + 1);
      if (node.getAttribute('aria-rowindex') !== position) node.setAttribute('aria-rowindex', position);
      update(node, row, i);
    }
    for (const [k, node] of this.nodes) {
      if (!shown.has(k)) {
        node.remove();
        this.nodes.delete(k);
      }
    }
  }

  /** Scrolls so that the row with `key` is in view (when it is not already). */
  reveal(key: string): void {
    const index = this.indexOf(key);
    if (index < 0) return;
    const { container, rowHeight } = this.options;
    const y = index * rowHeight;
    if (y < container.scrollTop || y + rowHeight > container.scrollTop + container.clientHeight) {
      container.scrollTop = Math.max(0, y - container.clientHeight / 2);
      this.render();
    }
  }
}
