import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Lane, Timeline } from '../../src/ui/protocol.js';
import { filterLanes, groupLanes, orderLanes, summarize } from '../../src/ui/timeline-model.js';

function lane(fields: Partial<Lane> & Pick<Lane, 'id' | 'spans'>): Lane {
  return { name: fields.id, parentId: null, createdAt: 0, settledAt: null, outcome: null, cancelRequestedAt: null, ...fields };
}

const timeline = (lanes: Lane[]): Timeline => ({ source: 'snapshots', resolutionMs: 1000, observedSince: 0, start: 0, end: 1000, lanes, omitted: 0 });

describe('summarize', () => {
  it('counts the lanes in each state at the middle of each bucket', () => {
    const lanes = [lane({ id: 'a', spans: [['running', 0, 500, null], ['waiting', 500, 1000, 'db']] }), lane({ id: 'b', spans: [['queued', 250, 750, null]] })];
    const buckets = summarize(timeline(lanes), lanes, 4);
    assert.deepEqual(
      buckets.map((b) => [b.queued, b.running, b.waiting]),
      [
        [0, 1, 0],
        [1, 1, 0],
        [1, 0, 1],
        [0, 0, 1],
      ],
    );
  });

  it('counts what settled in each bucket, by outcome', () => {
    const lanes = [
      lane({ id: 'a', spans: [['running', 0, 100, null]], settledAt: 100, outcome: 'rejected' }),
      lane({ id: 'b', spans: [['running', 0, 900, null]], settledAt: 900, outcome: 'cancelled' }),
      lane({ id: 'c', spans: [['running', 0, 999, null]], settledAt: 999, outcome: 'cancelled' }),
    ];
    const buckets = summarize(timeline(lanes), lanes, 2);
    assert.deepEqual(
      buckets.map((b) => [b.fulfilled, b.rejected, b.cancelled]),
      [
        [0, 1, 0],
        [0, 0, 2],
      ],
    );
  });
});

describe('filterLanes', () => {
  it('keeps the lanes whose name or id has the text, in any case', () => {
    const lanes = [lane({ id: 'x.1', name: 'Fetch-User', spans: [] }), lane({ id: 'x.2', name: 'render', spans: [] })];
    assert.deepEqual(filterLanes(lanes, 'fetch').map((l) => l.id), ['x.1']);
    assert.deepEqual(filterLanes(lanes, 'X.2').map((l) => l.id), ['x.2']);
    assert.equal(filterLanes(lanes, '  ').length, 2);
  });
});

describe('orderLanes', () => {
  it('orders by creation either way, or by how long each lived', () => {
    const lanes = [
      lane({ id: 'a', createdAt: 0, settledAt: 900, spans: [] }),
      lane({ id: 'b', createdAt: 100, settledAt: 200, spans: [] }),
      lane({ id: 'c', createdAt: 500, spans: [] }),
    ];
    assert.deepEqual(orderLanes(lanes, 'oldest', 1000).map((l) => l.id), ['a', 'b', 'c']);
    assert.deepEqual(orderLanes(lanes, 'newest', 1000).map((l) => l.id), ['c', 'b', 'a']);
    assert.deepEqual(orderLanes(lanes, 'longest', 1000).map((l) => l.id), ['a', 'c', 'b']);
  });
});

describe('groupLanes', () => {
  it('draws tasks alike as one lane: the same name and parent name, numbers aside', () => {
    const lanes = [
      lane({ id: 'r1', name: 'api#1', spans: [] }),
      lane({ id: 'd1', name: 'db-query', parentId: 'r1', spans: [] }),
      lane({ id: 'r2', name: 'api#2', spans: [] }),
      lane({ id: 'd2', name: 'db-query', parentId: 'r2', spans: [] }),
      lane({ id: 'd3', name: 'db-query', parentId: 'w', spans: [] }),
    ];
    const names = new Map([
      ['r1', 'api#1'],
      ['r2', 'api#2'],
      ['w', 'worker'],
    ]);
    assert.deepEqual(
      groupLanes(lanes, names).map((g) => [g.label, g.filter, g.lanes.map((l) => l.id).join()]),
      [
        ['api#…', 'api', 'r1,r2'],
        ['db-query · api#…', 'db-query', 'd1,d2'],
        ['db-query · worker', 'db-query', 'd3'],
      ],
    );
  });
});
