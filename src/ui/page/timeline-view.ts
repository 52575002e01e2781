/**
 * The timeline: the last minute, one lane per task, drawn on a canvas — only the lanes in view
 * (the rest are a scroll away), with a summary strip above that counts every lane in each state
 * over time and marks what settled, so a burst, a slow dependency or a stuck request shows at a
 * glance however many tasks there are.
 */
import { formatDuration } from '../format.js';
import type { Lane, Span, Timeline } from '../protocol.js';
import { filterLanes, summarize } from '../timeline-model.js';
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
  const names = ['queued', 'running', 'waiting', 'cancelling', 'fulfilled', 'rejected', 'cancelled', 'gone', 'deadlock', 'text', 'muted', 'grid', 'selected', 'bg'];
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
  private palette: Palette | null = null;
  private ctx: Context | null = null;
  private lanes: readonly Lane[] = [];
  private frame = 0;

  constructor(private readonly actions: Actions) {
    this.lanesBox.addEventListener('scroll', () => this.schedule(), { passive: true });
    new ResizeObserver(() => this.schedule()).observe(this.lanesBox);
    this.filter.addEventListener('input', () => this.ctx !== null && this.render(this.ctx));
    this.lanesBox.addEventListener('click', (event) => {
      const lane = this.laneAt(event);
      if (lane !== undefined) this.actions.select(lane.id);
    });
    this.lanesBox.addEventListener('mousemove', (event) => {
      const lane = this.laneAt(event);
      const title = lane === undefined ? '' : this.describe(lane, event);
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
    this.lanes = timeline === null ? [] : filterLanes(timeline.lanes, this.filter.value);
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
    const height = `${this.lanes.length * LANE_HEIGHT}px`;
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

  private laneAt(event: MouseEvent): Lane | undefined {
    const rect = this.lanesBox.getBoundingClientRect();
    const y = event.clientY - rect.top + this.lanesBox.scrollTop;
    return this.lanes[Math.floor(y / LANE_HEIGHT)];
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
    const last = Math.min(this.lanes.length, Math.ceil((scroll + height) / LANE_HEIGHT));
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
    g.font = '12px system-ui, sans-serif';
    g.textBaseline = 'middle';
    for (let i = first; i < last; i++) {
      const lane = this.lanes[i] as Lane;
      const y = i * LANE_HEIGHT - scroll;
      const mid = y + LANE_HEIGHT / 2;
      if (lane.id === ctx.selected) {
        g.fillStyle = p['selected'] as string;
        g.fillRect(0, y, width, LANE_HEIGHT);
      }
      const deadlocked = ctx.deadlocked.has(lane.id);
      g.fillStyle = deadlocked ? (p['deadlock'] as string) : lane.outcome === null ? (p['text'] as string) : (p['muted'] as string);
      g.fillText(ellipsize(g, lane.name, LABEL_WIDTH - 16), 8, mid);
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
