import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FinishedInfo } from '../../src/inspect/schema.js';
import { finishedRows, liveRows, matchesSelectors, parseSelectors } from '../../src/ui/table-model.js';
import type { LiveFilter } from '../../src/ui/table-model.js';
import { taskInfo } from '../helpers/snapshot.js';

const tasks = [
  taskInfo({ id: 'a.1', name: 'main', ageMs: 900 }),
  taskInfo({ id: 'a.2', name: 'fetch-user', ageMs: 300, attributes: { region: 'eu', tier: 'free' }, waitingOn: { kind: 'promise', label: 'db', forMs: 250 } }),
  taskInfo({ id: 'a.3', name: 'fetch-posts', ageMs: 500, attributes: { region: 'us' }, state: 'queued' }),
  taskInfo({ id: 'a.4', name: 'render', ageMs: 100, cancelled: { kind: 'explicit', message: 'cancelled explicitly', forMs: 10 } }),
];
const all: LiveFilter = { name: '', state: '', attributes: '' };
const byAge = { column: 'age', descending: true } as const;
const names = (rows: readonly { name: string }[]): string[] => rows.map((r) => r.name);

describe('liveRows', () => {
  it('filters by a piece of the name or id, in any case', () => {
    assert.deepEqual(names(liveRows(tasks, { ...all, name: 'FETCH' }, byAge, new Set())), ['fetch-posts', 'fetch-user']);
    assert.deepEqual(names(liveRows(tasks, { ...all, name: 'a.4' }, byAge, new Set())), ['render']);
  });

  it('filters by state: queued, running, waiting, cancel requested, in a deadlock', () => {
    assert.deepEqual(names(liveRows(tasks, { ...all, state: 'queued' }, byAge, new Set())), ['fetch-posts']);
    assert.deepEqual(names(liveRows(tasks, { ...all, state: 'waiting' }, byAge, new Set())), ['fetch-user']);
    assert.deepEqual(names(liveRows(tasks, { ...all, state: 'running' }, byAge, new Set())), ['main']);
    assert.deepEqual(names(liveRows(tasks, { ...all, state: 'cancelling' }, byAge, new Set())), ['render']);
    assert.deepEqual(names(liveRows(tasks, { ...all, state: 'deadlocked' }, byAge, new Set(['a.1']))), ['main']);
  });

  it('filters by attribute selectors: key, key=value, key!=value', () => {
    assert.deepEqual(names(liveRows(tasks, { ...all, attributes: 'region' }, byAge, new Set())), ['fetch-posts', 'fetch-user']);
    assert.deepEqual(names(liveRows(tasks, { ...all, attributes: 'region=eu' }, byAge, new Set())), ['fetch-user']);
    assert.deepEqual(names(liveRows(tasks, { ...all, attributes: 'region, tier!=free' }, byAge, new Set())), ['fetch-posts']);
  });

  it('sorts by any column, either way, keeping the snapshot order among equals', () => {
    assert.deepEqual(names(liveRows(tasks, all, { column: 'name', descending: false }, new Set())), ['fetch-posts', 'fetch-user', 'main', 'render']);
    assert.deepEqual(names(liveRows(tasks, all, { column: 'age', descending: false }, new Set())), ['render', 'fetch-user', 'fetch-posts', 'main']);
    assert.deepEqual(names(liveRows(tasks, all, { column: 'for', descending: true }, new Set())).slice(0, 1), ['fetch-user']);
    assert.deepEqual(names(liveRows(tasks, all, { column: 'path', descending: false }, new Set())), ['fetch-posts', 'fetch-user', 'main', 'render']);
  });
});

describe('parseSelectors and matchesSelectors', () => {
  it('reads selectors separated by commas or spaces', () => {
    assert.deepEqual(parseSelectors(' a=1,b!=2  c '), [
      { key: 'a', value: '1', negate: false },
      { key: 'b', value: '2', negate: true },
      { key: 'c', value: null, negate: false },
    ]);
  });

  it('compares numbers and booleans as text', () => {
    assert.equal(matchesSelectors({ shard: 3, canary: true }, parseSelectors('shard=3 canary=true')), true);
    assert.equal(matchesSelectors(null, parseSelectors('shard')), false);
    assert.equal(matchesSelectors(null, parseSelectors('shard!=3')), true);
  });
});

describe('finishedRows', () => {
  const finished: FinishedInfo[] = [
    { id: 'f.1', name: 'a', path: 'main › a', parentId: null, outcome: 'fulfilled', createdAt: 0, settledAt: 10, durationMs: 10, error: null, cancelled: null },
    { id: 'f.2', name: 'b', path: 'main › b', parentId: null, outcome: 'rejected', createdAt: 0, settledAt: 30, durationMs: 30, error: 'Error: x', cancelled: null },
    { id: 'f.3', name: 'c', path: 'main › c', parentId: null, outcome: 'cancelled', createdAt: 0, settledAt: 20, durationMs: 20, error: null, cancelled: { kind: 'explicit', message: 'cancelled explicitly' } },
  ];

  it('filters by outcome and name, newest first', () => {
    assert.deepEqual(names(finishedRows(finished, { name: '', outcome: '' }, { column: 'settled', descending: true })), ['b', 'c', 'a']);
    assert.deepEqual(names(finishedRows(finished, { name: '', outcome: 'cancelled' }, { column: 'settled', descending: true })), ['c']);
    assert.deepEqual(names(finishedRows(finished, { name: 'f.1', outcome: '' }, { column: 'settled', descending: true })), ['a']);
  });
});
