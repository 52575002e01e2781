/**
 * The timeline: the last minute, one lane per task, drawn on a canvas — only the lanes in view
 * (the rest are a scroll away) — or one lane per name (tasks alike drawn over each other, denser
 * where more overlap), with a summary strip above that counts every lane in each state over time
 * and marks what settled, so a burst, a slow dependency or a stuck request shows at a glance
 * however many tasks there are.
 */
import { formatDuration } from '../format.js';
import type { Lane, Span, Timeline } from '../protocol.js';
import { filterLanes, groupLanes, orderLanes, summarize } from '../timeline-model.js';
import type { LaneGroup, LaneOrder } from '../timeline-model.js';
import type { Actions, Context } from './context.js';
import { byId, setAttr, setText } from './dom.js';

const LANE_HEIGHT = 18;
const LABEL_WIDTH = 200;
const RIGHT_PAD = 12;
const SUMMARY_BUCKETS = 120;
const SUMMARY_AXIS = 30;

interface Palette {
  readonly [name: string]: string;
}

function readPalette(): Palette {
  const style = getComputedStyle(document.documentElement);
  const names = ['queued', 'running', 'waiting', 'cancelling', 'fulfilled', 'rejected', 'cancelled', 'gone', 'deadlock', 'text', 'muted', 'faint', 'grid', 'selected', 'bg'];
  const palette: Record<string, string> = {};
  for (const name of names) palette[name] = style.getPropertyValue(`--${name}`).trim() || '#888';
  return palette;
}

/** Sizes a canvas's backing store to its CSS size × the device pixel ratio; returns its 2D context. */
function fit(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D {
  const ratio = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(width * ratio));
  const h = Math.max(1, Math.round(height * ratio));
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const cssW = `${width}px`;
  const cssH = `${height}px`;
  if (canvas.style.width !== cssW) canvas.style.width = cssW;
  if (canvas.style.height !== cssH) canvas.style.height = cssH;
  const g = canvas.getContext('2d') as CanvasRenderingContext2D;
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  return g;
}

function ellipsize(g: CanvasRenderingContext2D, text: string, width: number): string {
  if (g.measureText(text).width <= width) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (g.measureText(`${text.slice(0, mid)}…`).width <= width) lo = mid;
    else hi = mid - 1;
  }
  return `${text.slice(0, lo)}…`;
}

export class TimelineView {
  private readonly summary = byId<HTMLCanvasElement>('timeline-summary');
  private readonly lanesBox = byId('timeline-lanes');
  private readonly spacer = byId('timeline-spacer');
  private readonly canvas = byId<HTMLCanvasElement>('timeline-canvas');
  private readonly note = byId('timeline-note');
  private readonly filter = byId<HTMLInputElement>('timeline-name');
  private readonly order = byId<HTMLSelectElement>('timeline-order');
  private readonly mode = byId<HTMLSelectElement>('timeline-mode');
  /** One per name: the groups drawn as lanes (empty one per task). */
  private groups: LaneGroup[] = [];
  /** Names of every lane's task, for the parent shown beside a lane's name. */
  private laneNames = new Map<string, string>();
  private palette: Palette | null = null;
  private ctx: Context | null = null;
  private lanes: readonly Lane[] = [];
  private frame = 0;

  constructor(private readonly actions: Actions) {
    this.lanesBox.addEventListener('scroll', () => this.schedule(), { passive: true });
    new ResizeObserver(() => this.schedule()).observe(this.lanesBox);
    for (const input of [this.filter, this.order, this.mode]) input.addEventListener('input', () => this.ctx !== null && this.render(this.ctx));
    this.lanesBox.addEventListener('click', (event) => {
      const row = this.rowAt(event);
      if (row === undefined) return;
      if ('spans' in row) this.actions.select(row.id);
      else {
        // A lane of many: show them one by one.
        this.mode.value = 'task';
        this.filter.value = row.filter;
        if (this.ctx !== null) this.render(this.ctx);
      }
    });
    this.lanesBox.addEventListener('mousemove', (event) => {
      const row = this.rowAt(event);
      const title = row === undefined ? '' : 'spans' in row ? this.describe(row, event) : `${row.label}: ${row.lanes.length} tasks — click to see them one by one`;
      if (this.lanesBox.title !== title) this.lanesBox.title = title;
    });
  }

  /** The timeline the view shows, or `null` before the server sent one. */
  get timeline(): Timeline | null {
    return this.ctx?.state.timeline ?? null;
  }

  render(ctx: Context): void {
    this.ctx = ctx;
    const timeline = ctx.state.timeline;
    this.lanes = timeline === null ? [] : orderLanes(filterLanes(timeline.lanes, this.filter.value), this.order.value as LaneOrder, timeline.end);
    this.laneNames = new Map(timeline?.lanes.map((lane) => [lane.id, lane.name]) ?? []);
    this.groups = this.mode.value === 'name' ? groupLanes(this.lanes, new Map([...ctx.names, ...this.laneNames])) : [];
    if (timeline === null) setText(this.note, 'loading…');
    else {
      const omitted = timeline.omitted > 0 ? ` · ${timeline.omitted} older finished lanes left out` : '';
      const shown = this.lanes.length === timeline.lanes.length ? `${timeline.lanes.length} tasks` : `${this.lanes.length} of ${timeline.lanes.length} tasks`;
      setText(
        this.note,
        `${shown} over the last ${formatDuration(timeline.end - timeline.start)}${omitted} · ` +
          (timeline.source === 'snapshots' ? `read from snapshots every ${formatDuration(timeline.resolutionMs)}` : 'from the flight recorder'),
      );
      setAttr(
        this.note,
        'title',
        timeline.source === 'snapshots'
          ? 'Creation, settling, the start of each wait and cancellation requests are exact; a start after a queue and the end of a wait are known to within one read.'
          : null,
      );
    }
    const height = `${this.rowCount() * LANE_HEIGHT}px`;
    if (this.spacer.style.height !== height) this.spacer.style.height = height;
    this.draw();
  }

  private schedule(): void {
    if (this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private x(t: number, timeline: Timeline, width: number): number {
    const span = Math.max(1, timeline.end - timeline.start);
    return LABEL_WIDTH + (t / span) * (width - LABEL_WIDTH - RIGHT_PAD);
  }

  private rowCount(): number {
    return this.mode.value === 'name' ? this.groups.length : this.lanes.length;
  }

  private rowAt(event: MouseEvent): Lane | LaneGroup | undefined {
    const rect = this.lanesBox.getBoundingClientRect();
    const i = Math.floor((event.clientY - rect.top + this.lanesBox.scrollTop) / LANE_HEIGHT);
    return this.mode.value === 'name' ? this.groups[i] : this.lanes[i];
  }

  private describe(lane: Lane, event: MouseEvent): string {
    const timeline = this.timeline;
    if (timeline === null) return lane.name;
    const rect = this.lanesBox.getBoundingClientRect();
    const width = this.lanesBox.clientWidth;
    const t = ((event.clientX - rect.left - LABEL_WIDTH) / (width - LABEL_WIDTH - RIGHT_PAD)) * (timeline.end - timeline.start);
    const span = lane.spans.find(([, from, to]) => t >= from && t <= to);
    const doing = span === undefined ? '' : ` — ${span[0]}${span[3] === null ? '' : ` on ${span[3]}`} for ${formatDuration(span[2] - span[1])}`;
    const end = lane.outcome === null ? 'live' : `${lane.outcome} after ${formatDuration((lane.settledAt ?? 0) - lane.createdAt)}`;
    return `${lane.name} [${lane.id}] · ${end}${doing}`;
  }

  private draw(): void {
    const ctx = this.ctx;
    const timeline = ctx?.state.timeline ?? null;
    if (ctx === null || timeline === null || this.lanesBox.clientWidth === 0) return;
    this.palette ??= readPalette();
    this.drawSummary(timeline, this.palette);
    this.drawLanes(ctx, timeline, this.palette);
  }

  private drawSummary(timeline: Timeline, p: Palette): void {
    const width = this.summary.clientWidth;
    const height = 96;
    const g = fit(this.summary, width, height);
    g.clearRect(0, 0, width, height);
    const buckets = summarize(timeline, this.lanes, SUMMARY_BUCKETS);
    const top = 8;
    const chart = height - SUMMARY_AXIS - top;
    let max = 1;
    for (const b of buckets) max = Math.max(max, b.queued + b.running + b.waiting);
    let maxSettled = 1;
    for (const b of buckets) maxSettled = Math.max(maxSettled, b.fulfilled + b.rejected + b.cancelled + b.gone);
    this.shadeUnobserved(g, timeline, width, top, chart, p);
    if (timeline.observedSince !== null) {
      // Said in words where the hatched part has room for them.
      const room = this.x(timeline.observedSince - timeline.start, timeline, width) - LABEL_WIDTH - 16;
      const words = 'before tasktree ui started reading';
      g.font = '11px system-ui, sans-serif';
      if (g.measureText(words).width <= room) {
        g.fillStyle = p['muted'] as string;
        g.textBaseline = 'top';
        g.fillText(words, LABEL_WIDTH + 8, top + 2);
      }
    }
    const bucketW = (width - LABEL_WIDTH - RIGHT_PAD) / SUMMARY_BUCKETS;
    buckets.forEach((b, i) => {
      const x = LABEL_WIDTH + i * bucketW;
      let y = top + chart;
      for (const state of ['running', 'waiting', 'queued'] as const) {
        const h = (b[state] / max) * chart;
        g.fillStyle = p[state] as string;
        g.fillRect(x, y - h, Math.max(1, bucketW - 0.5), h);
        y -= h;
      }
      // What settled in this bucket: a tick under the axis, coloured by outcome.
      let tick = top + chart + 2;
      for (const outcome of ['fulfilled', 'rejected', 'cancelled', 'gone'] as const) {
        if (b[outcome] === 0) continue;
        const h = Math.max(1.5, (b[outcome] / maxSettled) * 8);
        g.fillStyle = p[outcome] as string;
        g.fillRect(x, tick, Math.max(1, bucketW - 0.5), h);
        tick += h;
      }
    });
    g.fillStyle = p['text'] as string;
    g.font = '600 12px system-ui, sans-serif';
    g.textBaseline = 'top';
    g.fillText('all tasks', 8, top);
    g.font = '11px system-ui, sans-serif';
    g.fillStyle = p['muted'] as string;
    g.fillText(`up to ${max} at once`, 8, top + 16);
    g.fillText('settled ↓', 8, top + chart + 2);
    // Time axis: every 10 s, "now" at the right.
    g.strokeStyle = p['grid'] as string;
    g.beginPath();
    g.moveTo(LABEL_WIDTH, top + chart + 0.5);
    g.lineTo(width - RIGHT_PAD, top + chart + 0.5);
    g.stroke();
    const span = timeline.end - timeline.start;
    g.textBaseline = 'alphabetic';
    for (let ago = 0; ago <= span; ago += 10_000) {
      const x = this.x(span - ago, timeline, width);
      const label = ago === 0 ? 'now' : `−${ago / 1000} s`;
      g.fillText(label, Math.min(x - g.measureText(label).width / 2, width - RIGHT_PAD - g.measureText(label).width), height - 3);
    }
  }

  private drawLanes(ctx: Context, timeline: Timeline, p: Palette): void {
    const width = this.lanesBox.clientWidth;
    const height = this.lanesBox.clientHeight;
    const g = fit(this.canvas, width, height);
    g.clearRect(0, 0, width, height);
    const scroll = this.lanesBox.scrollTop;
    const first = Math.floor(scroll / LANE_HEIGHT);
    const last = Math.min(this.rowCount(), Math.ceil((scroll + height) / LANE_HEIGHT));
    // Grid lines every 10 s.
    g.strokeStyle = p['grid'] as string;
    g.lineWidth = 1;
    const span = timeline.end - timeline.start;
    for (let ago = 0; ago <= span; ago += 10_000) {
      const x = Math.round(this.x(span - ago, timeline, width)) + 0.5;
      g.beginPath();
      g.moveTo(x, 0);
      g.lineTo(x, height);
      g.stroke();
    }
    this.shadeUnobserved(g, timeline, width, 0, height, p);
    g.font = '12px system-ui, sans-serif';
    g.textBaseline = 'middle';
    for (let i = first; i < last; i++) {
      const y = i * LANE_HEIGHT - scroll;
      if (this.mode.value === 'name') this.drawGroup(g, this.groups[i] as LaneGroup, timeline, width, y, p);
      else this.drawLane(g, ctx, this.lanes[i] as Lane, timeline, width, y, p);
    }
  }

  private label(g: CanvasRenderingContext2D, text: string, faint: string, y: number, color: string, p: Palette): void {
    const mid = y + LANE_HEIGHT / 2;
    g.fillStyle = color;
    const name = ellipsize(g, text, LABEL_WIDTH - 16);
    g.fillText(name, 8, mid);
    const used = g.measureText(name).width;
    if (faint !== '' && used < LABEL_WIDTH - 60) {
      g.fillStyle = p['faint'] as string;
      g.fillText(ellipsize(g, faint, LABEL_WIDTH - 16 - used), 8 + used, mid);
    }
  }

  private drawLane(g: CanvasRenderingContext2D, ctx: Context, lane: Lane, timeline: Timeline, width: number, y: number, p: Palette): void {
    if (lane.id === ctx.selected) {
      g.fillStyle = p['selected'] as string;
      g.fillRect(0, y, width, LANE_HEIGHT);
    }
    const deadlocked = ctx.deadlocked.has(lane.id);
    // Its parent, faint, where there is room: `db-query · request#42`.
    const parent = lane.parentId === null ? undefined : (this.laneNames.get(lane.parentId) ?? ctx.names.get(lane.parentId));
    const color = deadlocked ? (p['deadlock'] as string) : lane.outcome === null ? (p['text'] as string) : (p['muted'] as string);
    this.label(g, lane.name, parent === undefined ? '' : ` · ${parent}`, y, color, p);
    // A settled lane: its spans faded, underlined in the colour of its outcome.
    const settled = lane.outcome !== null;
    if (settled) g.globalAlpha = 0.45;
    for (const span of lane.spans) this.drawSpan(g, span, timeline, width, y, p);
    g.globalAlpha = 1;
    if (settled && lane.spans.length > 0) {
      const from = this.x((lane.spans[0] as Span)[1], timeline, width);
      const to = this.x((lane.spans[lane.spans.length - 1] as Span)[2], timeline, width);
      g.fillStyle = p[lane.outcome as string] as string;
      g.fillRect(from, y + LANE_HEIGHT - 4, Math.max(1, to - from), 2);
    }
    this.drawMarks(g, lane, timeline, width, y, p);
  }

  /** Many tasks in one lane: each drawn faintly, so where more overlap the lane is darker. */
  private drawGroup(g: CanvasRenderingContext2D, group: LaneGroup, timeline: Timeline, width: number, y: number, p: Palette): void {
    const live = group.lanes.filter((l) => l.outcome === null).length;
    this.label(g, group.label, `  ×${group.lanes.length}${live > 0 && live < group.lanes.length ? `, ${live} live` : ''}`, y, p['text'] as string, p);
    g.globalAlpha = Math.min(1, Math.max(0.12, 2 / group.lanes.length));
    for (const lane of group.lanes) for (const span of lane.spans) this.drawSpan(g, span, timeline, width, y, p);
    g.globalAlpha = Math.min(1, Math.max(0.25, 3 / group.lanes.length));
    for (const lane of group.lanes) this.drawMarks(g, lane, timeline, width, y, p);
    g.globalAlpha = 1;
  }

  /** When cancellation was requested (a triangle) and when it settled (a bar in its outcome's colour). */
  private drawMarks(g: CanvasRenderingContext2D, lane: Lane, timeline: Timeline, width: number, y: number, p: Palette): void {
    if (lane.cancelRequestedAt !== null && lane.cancelRequestedAt >= timeline.start) {
      const x = this.x(lane.cancelRequestedAt - timeline.start, timeline, width);
      g.fillStyle = p['cancelling'] as string;
      g.beginPath();
      g.moveTo(x - 4, y + 1);
      g.lineTo(x + 4, y + 1);
      g.lineTo(x, y + 7);
      g.fill();
    }
    if (lane.settledAt !== null && lane.outcome !== null && lane.settledAt >= timeline.start) {
      const x = this.x(lane.settledAt - timeline.start, timeline, width);
      g.fillStyle = p[lane.outcome] as string;
      g.fillRect(x - 1.5, y + 2, 3, LANE_HEIGHT - 4);
    }
  }

  /** Hatches the part of the window before tasktree ui began reading: what is there was reconstructed. */
  private shadeUnobserved(g: CanvasRenderingContext2D, timeline: Timeline, width: number, top: number, height: number, p: Palette): void {
    const since = timeline.observedSince;
    if (since === null || since <= timeline.start) return;
    const x0 = LABEL_WIDTH;
    const x1 = this.x(since - timeline.start, timeline, width);
    g.save();
    g.beginPath();
    g.rect(x0, top, x1 - x0, height);
    g.clip();
    g.fillStyle = p['bg'] as string;
    g.fillRect(x0, top, x1 - x0, height);
    g.strokeStyle = p['grid'] as string;
    g.lineWidth = 1;
    for (let x = x0 - height; x < x1; x += 8) {
      g.beginPath();
      g.moveTo(x, top + height);
      g.lineTo(x + height, top);
      g.stroke();
    }
    g.restore();
  }

  private drawSpan(g: CanvasRenderingContext2D, span: Span, timeline: Timeline, width: number, y: number, p: Palette): void {
    const [state, from, to] = span;
    const x0 = this.x(from, timeline, width);
    const x1 = Math.max(x0 + 1, this.x(to, timeline, width));
    g.fillStyle = p[state] as string;
    const inset = state === 'queued' ? 6 : 4;
    g.fillRect(x0, y + inset, x1 - x0, LANE_HEIGHT - inset * 2);
  }
}
