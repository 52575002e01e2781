/** The timeline's summary strip: how many tasks were in each state over time, and what settled. Pure. */
import type { Lane, Timeline } from './protocol.js';

export interface Bucket {
  queued: number;
  running: number;
  waiting: number;
  fulfilled: number;
  rejected: number;
  cancelled: number;
  gone: number;
}

function empty(): Bucket {
  return { queued: 0, running: 0, waiting: 0, fulfilled: 0, rejected: 0, cancelled: 0, gone: 0 };
}

/**
 * Splits the window into `count` buckets: in each, the lanes in each state at its middle, and
 * the lanes that settled within it, by outcome.
 */
export function summarize(timeline: Timeline, lanes: readonly Lane[], count: number): Bucket[] {
  const buckets = Array.from({ length: count }, empty);
  const width = (timeline.end - timeline.start) / count;
  if (width <= 0) return buckets;
  for (const lane of lanes) {
    for (const [state, from, to] of lane.spans) {
      // Buckets whose middle lies in [from, to).
      const first = Math.max(0, Math.ceil(from / width - 0.5));
      const last = Math.min(count - 1, Math.ceil(to / width - 0.5) - 1);
      for (let i = first; i <= last; i++) (buckets[i] as Bucket)[state]++;
    }
    if (lane.settledAt !== null && lane.outcome !== null && lane.settledAt >= timeline.start) {
      const i = Math.min(count - 1, Math.floor((lane.settledAt - timeline.start) / width));
      (buckets[i] as Bucket)[lane.outcome]++;
    }
  }
  return buckets;
}

/** Lanes whose task name contains `text` (any case); all of them for an empty text. */
export function filterLanes(lanes: readonly Lane[], text: string): readonly Lane[] {
  const needle = text.trim().toLowerCase();
  return needle === '' ? lanes : lanes.filter((lane) => lane.name.toLowerCase().includes(needle) || lane.id.toLowerCase().includes(needle));
}

export type LaneOrder = 'newest' | 'oldest' | 'longest';

/** Lanes in the reader's order: by creation (newest or oldest first), or by how long they lived (up to `end`). */
export function orderLanes(lanes: readonly Lane[], order: LaneOrder, end: number): readonly Lane[] {
  // Lanes come oldest first.
  if (order === 'oldest') return lanes;
  if (order === 'newest') return [...lanes].reverse();
  const life = (lane: Lane): number => (lane.settledAt ?? end) - lane.createdAt;
  return [...lanes].sort((a, b) => life(b) - life(a));
}

/** Lanes of tasks alike — the same name up to numbers, under parents alike — drawn as one. */
export interface LaneGroup {
  readonly key: string;
  /** `db-query · api#…` */
  readonly label: string;
  /** What to filter the per-task lanes by to see these: `db-query`. */
  readonly filter: string;
  readonly lanes: readonly Lane[];
}

const NUMBERS = /\d+/g;

/** Groups lanes by name and parent's name (numbers aside), in order of each group's first lane. */
export function groupLanes(lanes: readonly Lane[], names: ReadonlyMap<string, string>): LaneGroup[] {
  const groups = new Map<string, { key: string; label: string; filter: string; lanes: Lane[] }>();
  for (const lane of lanes) {
    const name = lane.name.replace(NUMBERS, '…');
    const parentName = lane.parentId === null ? undefined : names.get(lane.parentId);
    const parent = parentName === undefined ? '' : parentName.replace(NUMBERS, '…');
    const key = `${parent}\u0000${name}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { key, label: parent === '' ? name : `${name} · ${parent}`, filter: lane.name.replace(/[\d#]+$/, '').replace(NUMBERS, ''), lanes: [] };
      groups.set(key, group);
    }
    group.lanes.push(lane);
  }
  return [...groups.values()];
}
