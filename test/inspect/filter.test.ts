import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeFilter, filterSnapshot, filterTree, globPattern, isFilterEmpty, liveState, taskMatcher } from '../../src/inspect/filter.js';
import { snapshotOf, taskInfo } from '../helpers/snapshot.js';

const cancelled = { kind: 'explicit', message: 'cancelled explicitly', forMs: 10 };
const tasks = [
  taskInfo({ id: 'a.1', name: 'main' }),
  taskInfo({ id: 'a.2', name: 'request#1', parentId: 'a.1', attributes: { route: '/users', status: 200 } }),
  taskInfo({ id: 'a.3', name: 'db-query', parentId: 'a.2', attributes: { table: 'users' } }),
  taskInfo({ id: 'a.4', name: 'request#2', parentId: 'a.1', attributes: { route: '/posts', status: 500, cached: true } }),
  taskInfo({ id: 'a.5', name: 'db-query', parentId: 'a.4', cancelled }),
  taskInfo({ id: 'a.6', name: 'auth', parentId: 'a.4', state: 'queued' }),
];
const snapshot = snapshotOf(tasks);

function names(filter: Parameters<typeof filterSnapshot>[1]): string[] {
  return filterSnapshot(snapshot, filter).tasks.map((t) => t.id);
}

describe('liveState', () => {
  it('is queued, running, or cancelling once a cancellation was requested', () => {
    assert.deepEqual(
      tasks.map((t) => liveState(t)),
      ['running', 'running', 'running', 'running', 'cancelling', 'queued'],
    );
  });
});

describe('globPattern', () => {
  it('matches the whole name, * for any run of characters and ? for one, the rest literally', () => {
    assert.ok(globPattern('request#*').test('request#12'));
    assert.ok(globPattern('*query').test('db-query'));
    assert.ok(globPattern('db-?uery').test('db-query'));
    assert.ok(!globPattern('query').test('db-query'), 'anchored');
    assert.ok(globPattern('a.b(c)[d]+').test('a.b(c)[d]+'));
    assert.ok(!globPattern('a.b').test('axb'), 'a dot is a dot');
    assert.ok(!globPattern('Main').test('main'), 'case-sensitive');
  });
});

describe('filterSnapshot', () => {
  it('keeps every task for an empty filter', () => {
    assert.equal(filterSnapshot(snapshot, {}), snapshot);
    assert.ok(isFilterEmpty({ states: [], attributes: {} }));
  });

  it('keeps the tasks whose name matches a glob', () => {
    assert.deepEqual(names({ name: 'request#*' }), ['a.2', 'a.4']);
    assert.deepEqual(names({ name: 'db-query' }), ['a.3', 'a.5']);
  });

  it('keeps the tasks in any of the states asked for', () => {
    assert.deepEqual(names({ states: ['cancelling'] }), ['a.5']);
    assert.deepEqual(names({ states: ['queued', 'cancelling'] }), ['a.5', 'a.6']);
    assert.deepEqual(names({ states: ['running'] }), ['a.1', 'a.2', 'a.3', 'a.4'], 'a cancelling task is not running');
  });

  it('keeps the tasks having every attribute asked for, compared as text', () => {
    assert.deepEqual(names({ attributes: { route: '/users' } }), ['a.2']);
    assert.deepEqual(names({ attributes: { status: '500', cached: 'true' } }), ['a.4']);
    assert.deepEqual(names({ attributes: { status: '500', route: '/users' } }), []);
    assert.deepEqual(names({ attributes: { missing: 'undefined' } }), []);
  });

  it('combines name, state and attributes: a task must match all of them', () => {
    assert.deepEqual(names({ name: 'request*', attributes: { route: '/posts' } }), ['a.4']);
    assert.deepEqual(names({ name: 'db-*', states: ['running'] }), ['a.3']);
  });

  it('leaves the history of finished tasks as it is', () => {
    const finished = [{ id: 'f.1', name: 'old', path: 'old', parentId: null, outcome: 'fulfilled' as const, createdAt: 0, settledAt: 1, durationMs: 1, error: null, cancelled: null }];
    assert.deepEqual(filterSnapshot({ ...snapshot, finished }, { name: 'nothing' }).finished, finished);
  });
});

describe('filterTree', () => {
  it('keeps the matching tasks and their ancestors, marking the ancestors that do not match as context', () => {
    const tree = filterTree(snapshot, { name: 'db-query' });
    assert.deepEqual(
      tree.tasks.map((t) => t.id),
      ['a.1', 'a.2', 'a.3', 'a.4', 'a.5'],
    );
    assert.deepEqual([...tree.context].sort(), ['a.1', 'a.2', 'a.4']);
    assert.equal(tree.matched, 2);
  });

  it('does not mark an ancestor that matches itself as context', () => {
    const tree = filterTree(snapshot, { name: '*' });
    assert.equal(tree.context.size, 0);
    assert.equal(tree.tasks.length, tasks.length);
  });
});

describe('describeFilter', () => {
  it('says in words what the filter asks for', () => {
    assert.equal(
      describeFilter({ name: 'h*', states: ['running', 'cancelling'], attributes: { route: '/users' } }),
      'name "h*", state running or cancelling, route=/users',
    );
  });
});

describe('taskMatcher', () => {
  it('matches everything without a filter', () => {
    assert.ok(tasks.every(taskMatcher(undefined)));
  });
});
