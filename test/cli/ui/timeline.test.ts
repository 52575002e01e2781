import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Timeline } from '../../../src/cli/ui/timeline.js';
import type { LifecycleEvent } from '../../../src/cli/ui/timeline.js';

const T0 = 1_000_000;

function lanesOf(timeline: Timeline, now: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const lane of timeline.view(now).lanes) {
    out[lane.name] = `${lane.spans.map(([s, from, to, label]) => `${s}${label === null ? '' : `(${label})`} ${from}-${to}`).join(', ')}${lane.outcome === null ? '' : ` → ${lane.outcome}`}`;
  }
  return out;
}

describe('Timeline', () => {
  it('draws a lane per task from its lifecycle events: queued, running, waiting, settled', () => {
    const timeline = new Timeline({ windowMs: 10_000, resolutionMs: 1000 });
    const events: LifecycleEvent[] = [
      { type: 'spawn', at: T0, id: 'a', name: 'job', parentId: null, state: 'queued' },
      { type: 'start', at: T0 + 1000, id: 'a' },
      { type: 'wait', at: T0 + 1500, id: 'a', label: 'db.query' },
      { type: 'resume', at: T0 + 3000, id: 'a' },
      { type: 'settle', at: T0 + 3500, id: 'a', outcome: 'rejected' },
    ];
    timeline.apply(events);
    const start = T0 + 4000 - 10_000;
    assert.deepEqual(lanesOf(timeline, T0 + 4000), {
      job: `queued ${T0 - start}-${T0 + 1000 - start}, running ${T0 + 1000 - start}-${T0 + 1500 - start}, waiting(db.query) ${T0 + 1500 - start}-${T0 + 3000 - start}, running ${T0 + 3000 - start}-${T0 + 3500 - start} → rejected`,
    });
  });

  it('lets the open span of a live task run until now, and clips spans to the window', () => {
    const timeline = new Timeline({ windowMs: 1000, resolutionMs: 100 });
    timeline.apply([{ type: 'spawn', at: T0, id: 'a', name: 'old', parentId: null, state: 'running' }]);
    assert.deepEqual(lanesOf(timeline, T0 + 5000), { old: 'running 0-1000' });
  });

  it('forgets tasks that settled before the window, and keeps live ones however old', () => {
    const timeline = new Timeline({ windowMs: 1000, resolutionMs: 100 });
    timeline.apply([
      { type: 'spawn', at: T0, id: 'a', name: 'done', parentId: null, state: 'running' },
      { type: 'settle', at: T0 + 10, id: 'a', outcome: 'fulfilled' },
      { type: 'spawn', at: T0, id: 'b', name: 'live', parentId: null, state: 'running' },
    ]);
    assert.deepEqual(Object.keys(lanesOf(timeline, T0 + 500)), ['done', 'live']);
    assert.deepEqual(Object.keys(lanesOf(timeline, T0 + 2000)), ['live']);
    assert.equal(timeline.has('a'), false);
  });

  it('marks when cancellation was requested', () => {
    const timeline = new Timeline({ windowMs: 1000, resolutionMs: 100 });
    timeline.apply([
      { type: 'spawn', at: T0, id: 'a', name: 'x', parentId: null, state: 'running' },
      { type: 'cancel', at: T0 + 100, id: 'a' },
      { type: 'cancel', at: T0 + 300, id: 'a' },
    ]);
    assert.equal(timeline.view(T0 + 500).lanes[0]?.cancelRequestedAt, T0 + 100);
  });

  it('never lets a lane go back in time, and ignores events about unknown tasks', () => {
    const timeline = new Timeline({ windowMs: 1000, resolutionMs: 100 });
    timeline.apply([
      { type: 'wait', at: T0, id: 'nobody', label: 'x' },
      { type: 'spawn', at: T0 + 100, id: 'a', name: 'x', parentId: null, state: 'running' },
      { type: 'wait', at: T0 + 50, id: 'a', label: 'late' },
    ]);
    assert.deepEqual(lanesOf(timeline, T0 + 200), { x: 'waiting(late) 900-1000' });
  });

  it('bounds what it sends: the oldest finished lanes go first, and spans per lane are capped', () => {
    const timeline = new Timeline({ windowMs: 10_000, resolutionMs: 100, maxLanes: 2, maxSpans: 4 });
    timeline.apply([
      { type: 'spawn', at: T0, id: 'old', name: 'old', parentId: null, state: 'running' },
      { type: 'settle', at: T0 + 1, id: 'old', outcome: 'fulfilled' },
      { type: 'spawn', at: T0, id: 'new', name: 'new', parentId: null, state: 'running' },
      { type: 'settle', at: T0 + 2, id: 'new', outcome: 'fulfilled' },
      { type: 'spawn', at: T0, id: 'live', name: 'live', parentId: null, state: 'running' },
    ]);
    for (let i = 1; i <= 10; i++) timeline.apply([{ type: i % 2 === 0 ? 'resume' : 'wait', at: T0 + i * 10, id: 'live', label: `w${i}` } as LifecycleEvent]);
    const view = timeline.view(T0 + 200);
    // Created at the same time: in order of id.
    assert.deepEqual(
      view.lanes.map((l) => l.id),
      ['live', 'new'],
    );
    assert.equal(view.omitted, 1);
    const live = view.lanes.find((l) => l.id === 'live');
    assert.ok((live?.spans.length ?? 0) <= 4);
    assert.equal(live?.spans[0]?.[1], T0 - (T0 + 200 - 10_000), 'merging keeps the lane its start');
  });
});
