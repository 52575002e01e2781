import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listMatches, resolveTask } from '../../src/cli/resolve-task.js';
import type { FinishedInfo, Snapshot } from '../../src/inspect/schema.js';
import { snapshotOf, taskInfo } from '../helpers/snapshot.js';

function finished(id: string, name: string, outcome: FinishedInfo['outcome']): FinishedInfo {
  return { id, name, path: `main › ${name}`, parentId: 'Ab12Cd.1', outcome, createdAt: 0, settledAt: 1, durationMs: 1, error: null, cancelled: null };
}

const snapshot: Snapshot = {
  ...snapshotOf([
    taskInfo({ id: 'Ab12Cd.1', name: 'main' }),
    taskInfo({ id: 'Ab12Cd.1k', name: 'lock-a', path: 'main › lock-a', parentId: 'Ab12Cd.1' }),
    taskInfo({ id: 'Ab12Cd.11k', name: 'lock-b', path: 'main › lock-b', parentId: 'Ab12Cd.1' }),
    taskInfo({ id: 'Ab12Cd.2', name: 'worker', path: 'main › worker', parentId: 'Ab12Cd.1', cancelled: { kind: 'explicit', message: 'x', forMs: 1 } }),
    taskInfo({ id: 'Xy98Zw.2', name: 'worker', path: 'main › worker', parentId: 'Ab12Cd.1' }),
  ]),
  finished: [finished('Ab12Cd.7', 'fetch-user', 'rejected'), finished('Ab12Cd.8', 'worker', 'cancelled')],
};

describe('resolveTask', () => {
  it('finds a task by its exact id first', () => {
    assert.deepEqual(resolveTask(snapshot, 'Ab12Cd.1k'), {
      kind: 'found',
      rule: 'id',
      task: { id: 'Ab12Cd.1k', name: 'lock-a', path: 'main › lock-a', state: 'running', outcome: null },
    });
  });

  it('then by the part of the id after its dot, which must match whole', () => {
    const found = resolveTask(snapshot, '1k');
    assert.equal(found.kind === 'found' && found.task.id, 'Ab12Cd.1k', '11k does not end the same way after its dot');
    assert.equal(resolveTask(snapshot, 'k').kind, 'none');
  });

  it('or by any tail of the id that includes the dot', () => {
    const found = resolveTask(snapshot, 'Cd.11k');
    assert.equal(found.kind === 'found' && found.task.id, 'Ab12Cd.11k');
  });

  it('then by a unique name, counting finished tasks of the history', () => {
    const live = resolveTask(snapshot, 'lock-b');
    assert.equal(live.kind === 'found' && live.rule, 'name');
    assert.deepEqual(resolveTask(snapshot, 'fetch-user'), {
      kind: 'found',
      rule: 'name',
      task: { id: 'Ab12Cd.7', name: 'fetch-user', path: 'main › fetch-user', state: 'finished (rejected)', outcome: 'rejected' },
    });
  });

  it('reports every match when several tasks fit, with their states', () => {
    const byName = resolveTask(snapshot, 'worker');
    assert.equal(byName.kind, 'ambiguous');
    assert.deepEqual(
      byName.kind === 'ambiguous' ? byName.matches.map((m) => `${m.id} ${m.state}`) : [],
      ['Ab12Cd.2 cancelling', 'Xy98Zw.2 running', 'Ab12Cd.8 finished (cancelled)'],
    );
    const bySuffix = resolveTask(snapshot, '2');
    assert.equal(bySuffix.kind === 'ambiguous' && bySuffix.rule, 'id suffix');
  });

  it('finds nothing for a query that matches no id, id suffix or name', () => {
    assert.deepEqual(resolveTask(snapshot, 'nope'), { kind: 'none' });
  });
});

describe('listMatches', () => {
  it('lists id, path and state, one match per line, aligned', () => {
    const result = resolveTask(snapshot, 'worker');
    assert.deepEqual(result.kind === 'ambiguous' ? listMatches(result.matches) : [], [
      '  Ab12Cd.2  main › worker  cancelling',
      '  Xy98Zw.2  main › worker  running',
      '  Ab12Cd.8  main › worker  finished (cancelled)',
    ]);
  });

  it('cuts a long list', () => {
    const many = Array.from({ length: 25 }, (_, i) => ({ id: `a.${i}`, name: 'w', path: 'w', state: 'running', outcome: null }));
    const lines = listMatches(many);
    assert.equal(lines.length, 21);
    assert.equal(lines.at(-1), '  … and 5 more');
  });
});
