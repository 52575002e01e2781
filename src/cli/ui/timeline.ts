/**
 * The timeline of `tasktree ui`: one lane per task over the last minute, built from lifecycle
 * events: from successive snapshots (snapshot-events.ts), or — while the target's flight recorder
 * is on — the recorder's own, exact ones (replay.ts turns a recording into these events).
 */
import type { FinishedInfo } from '../../inspect/schema.js';
import type { Lane, Span, Timeline as TimelineView } from '../../ui/protocol.js';

/** What happened to a task, and when (epoch ms). The vocabulary of a flight recorder. */
export type LifecycleEvent =
  | {
      readonly type: 'spawn';
      readonly at: number;
      readonly id: string;
      readonly name: string;
      readonly parentId: string | null;
      /** `queued` when it waits for a concurrency slot. */
      readonly state: 'queued' | 'running';
    }
  | { readonly type: 'start'; readonly at: number; readonly id: string }
  /** Begins waiting on `label` (ends any wait before it). */
  | { readonly type: 'wait'; readonly at: number; readonly id: string; readonly label: string }
  | { readonly type: 'resume'; readonly at: number; readonly id: string }
  | { readonly type: 'cancel'; readonly at: number; readonly id: string }
  | { readonly type: 'settle'; readonly at: number; readonly id: string; readonly outcome: FinishedInfo['outcome'] | 'gone' };

interface OpenSpan {
  state: Span[0];
  from: number;
  to: number;
  label: string | null;
}

interface LaneState {
  readonly id: string;
  readonly name: string;
  readonly parentId: string | null;
  readonly createdAt: number;
  settledAt: number | null;
  outcome: Lane['outcome'];
  cancelRequestedAt: number | null;
  /** Closed spans, oldest first; the last one is open (`to` = its `from`) while the task is live. */
  readonly spans: OpenSpan[];
}

export interface TimelineOptions {
  /** How far back the timeline reaches (default 60,000 ms). */
  readonly windowMs?: number;
  /** Lanes sent at most; the oldest finished ones are left out first (default 20,000). */
  readonly maxLanes?: number;
  /** Spans kept per lane; older ones are merged away (default 100). */
  readonly maxSpans?: number;
  readonly source?: TimelineView['source'];
  /** How precise the times not known exactly are (ms). */
  readonly resolutionMs: number;
}

/** Lanes of tasks, fed with {@link LifecycleEvent}s, read with {@link Timeline.view}. */
export class Timeline {
  private readonly lanes = new Map<string, LaneState>();
  private readonly windowMs: number;
  private readonly maxLanes: number;
  private readonly maxSpans: number;
  private source: TimelineView['source'];
  private readonly resolutionMs: number;
  private observedSince: number | null = null;

  constructor(options: TimelineOptions) {
    this.windowMs = options.windowMs ?? 60_000;
    this.maxLanes = options.maxLanes ?? 20_000;
    this.maxSpans = options.maxSpans ?? 100;
    this.source = options.source ?? 'snapshots';
    this.resolutionMs = options.resolutionMs;
  }

  /** Says where the events come from now (a flight recorder's are exact). */
  setSource(source: TimelineView['source']): void {
    this.source = source;
  }

  /** Whether a lane exists for `id` (live, or settled within the window). */
  has(id: string): boolean {
    return this.lanes.has(id);
  }

  /** Applies events in order. An event about an unknown task (other than `spawn`) is ignored. */
  apply(events: Iterable<LifecycleEvent>): void {
    for (const event of events) this.applyOne(event);
  }

  /** Says since when the events are seen as they happen (before it, they are reconstructed). */
  observing(since: number): void {
    this.observedSince ??= since;
  }

  private applyOne(event: LifecycleEvent): void {
    if (event.type === 'spawn') {
      if (this.lanes.has(event.id)) return;
      this.lanes.set(event.id, {
        id: event.id,
        name: event.name,
        parentId: event.parentId,
        createdAt: event.at,
        settledAt: null,
        outcome: null,
        cancelRequestedAt: null,
        spans: [{ state: event.state, from: event.at, to: event.at, label: null }],
      });
      return;
    }
    const lane = this.lanes.get(event.id);
    if (lane === undefined || lane.settledAt !== null) return;
    const open = lane.spans[lane.spans.length - 1] as OpenSpan;
    // Times never go backwards within a lane.
    const at = Math.max(event.at, open.from);
    switch (event.type) {
      case 'start':
        if (open.state === 'queued') this.next(lane, open, at, 'running', null);
        return;
      case 'wait':
        if (open.state === 'waiting' && open.label === event.label) return;
        this.next(lane, open, at, 'waiting', event.label);
        return;
      case 'resume':
        if (open.state === 'waiting') this.next(lane, open, at, 'running', null);
        return;
      case 'cancel':
        lane.cancelRequestedAt ??= at;
        return;
      case 'settle':
        open.to = at;
        lane.settledAt = at;
        lane.outcome = event.outcome;
    }
  }

  private next(lane: LaneState, open: OpenSpan, at: number, state: Span[0], label: string | null): void {
    open.to = at;
    if (open.to === open.from) lane.spans.pop();
    lane.spans.push({ state, from: at, to: at, label });
    if (lane.spans.length > this.maxSpans) {
      // Merge the two oldest: the lane keeps its start, the detail of its distant past goes.
      const [first, second] = lane.spans.splice(0, 2) as [OpenSpan, OpenSpan];
      lane.spans.unshift({ state: second.state, from: first.from, to: second.to, label: second.label });
    }
  }

  /** Forgets lanes that settled before the window (ending at `now`). */
  prune(now: number): void {
    const start = now - this.windowMs;
    for (const [id, lane] of this.lanes) {
      if (lane.settledAt !== null && lane.settledAt < start) this.lanes.delete(id);
    }
  }

  /** The timeline as the page receives it, for the window ending at `now`. */
  view(now: number): TimelineView {
    this.prune(now);
    const start = now - this.windowMs;
    let lanes = [...this.lanes.values()];
    let omitted = 0;
    if (lanes.length > this.maxLanes) {
      // Live lanes first, then the most recently settled.
      lanes.sort((a, b) => (b.settledAt ?? Infinity) - (a.settledAt ?? Infinity));
      omitted = lanes.length - this.maxLanes;
      lanes = lanes.slice(0, this.maxLanes);
    }
    lanes.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
    return {
      source: this.source,
      resolutionMs: this.resolutionMs,
      observedSince: this.observedSince,
      start,
      end: now,
      lanes: lanes.map((lane) => laneView(lane, start, now)),
      omitted,
    };
  }
}

function laneView(lane: LaneState, start: number, now: number): Lane {
  const spans: Span[] = [];
  const last = lane.spans.length - 1;
  lane.spans.forEach((span, i) => {
    // The open span of a live task lasts until now.
    const to = i === last && lane.settledAt === null ? Math.max(now, span.from) : span.to;
    if (to < start) return;
    spans.push([span.state, Math.max(span.from, start) - start, Math.min(to, now) - start, span.label]);
  });
  return {
    id: lane.id,
    name: lane.name,
    parentId: lane.parentId,
    createdAt: lane.createdAt,
    settledAt: lane.settledAt,
    outcome: lane.outcome,
    cancelRequestedAt: lane.cancelRequestedAt,
    spans,
  };
}
