import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskInfo } from '../../src/inspect/schema.js';
import { revealKeys, treeRows } from '../../src/ui/tree-model.js';
import type { TreeOptions, TreeRow } from '../../src/ui/tree-model.js';
import { snapshotOf, taskInfo } from '../helpers/snapshot.js';

const closed: TreeOptions = { collapsed: new Set(), expandedRuns: new Set(), deadlocked: new Set() };

function shape(rows: TreeRow[]): string[] {
  return rows.map((row) => {
    const pad = '  '.repeat(row.depth);
    if (row.kind === 'task') return `${pad}${row.task.name}${row.deadlocked ? ' (deadlock)' : ''}`;
    if (row.kind === 'run') return `${pad}[x${row.tasks.length}]${row.open ? ' open' : ''}`;
    return `${pad}group ${row.name} (${row.count})`;
  });
}

/** main › request#1..3 (group http) each with a db child, plus a worker in main's own scope. */
function service(requests = 3, extra: TaskInfo[] = []): TaskInfo[] {
  const tasks: TaskInfo[] = [taskInfo({ id: 'm', name: 'main' }), taskInfo({ id: 'w', name: 'worker', parentId: 'm', group: 'main' })];
  for (let i = 1; i <= requests; i++) {
    tasks.push(
      taskInfo({ id: `r${i}`, name: `request#${i}`, parentId: 'm', group: 'http', waitingOn: { kind: 'task', taskIds: [`d${i}`], forMs: 5 } }),
      taskInfo({ id: `d${i}`, name: 'db', parentId: `r${i}`, group: `request#${i}`, waitingOn: { kind: 'promise', label: 'db.query', forMs: 5 } }),
    );
  }
  return [...tasks, ...extra];
}

describe('treeRows', () => {
  it('puts children of a named group under a group row and folds identical siblings into a run', () => {
    assert.deepEqual(shape(treeRows(snapshotOf(service()), closed)), ['main', '  worker', '  group http (3)', '    [x3]']);
  });

  it('opens a run to show its tasks, each with its subtree', () => {
    const rows = treeRows(snapshotOf(service()), closed);
    const run = rows.find((r) => r.kind === 'run') as TreeRow;
    const open = treeRows(snapshotOf(service()), { ...closed, expandedRuns: new Set([run.key]) });
    assert.deepEqual(shape(open), [
      'main',
      '  worker',
      '  group http (3)',
      '    [x3] open',
      '      request#1',
      '        db',
      '      request#2',
      '        db',
      '      request#3',
      '        db',
    ]);
  });

  it('keeps a run its key while tasks join and leave it, so an opened run stays open', () => {
    const key = (treeRows(snapshotOf(service(3)), closed).find((r) => r.kind === 'run') as TreeRow).key;
    const later = treeRows(snapshotOf(service(5).filter((t) => t.id !== 'r1' && t.id !== 'd1')), { ...closed, expandedRuns: new Set([key]) });
    const run = later.find((r) => r.kind === 'run') as TreeRow & { kind: 'run' };
    assert.equal(run.key, key);
    assert.equal(run.open, true);
    assert.deepEqual(
      run.tasks.map((t) => t.name),
      ['request#2', 'request#3', 'request#4', 'request#5'],
    );
  });

  it('hides what is under a collapsed task or group', () => {
    assert.deepEqual(shape(treeRows(snapshotOf(service()), { ...closed, collapsed: new Set(['group:m:http']) })), ['main', '  worker', '  group http (3)']);
    assert.deepEqual(shape(treeRows(snapshotOf(service()), { ...closed, collapsed: new Set(['m']) })), ['main']);
  });

  it('never folds tasks on a deadlock cycle into a run, and marks them', () => {
    const locks = [
      taskInfo({ id: 'a', name: 'lock#1', parentId: 'm', waitingOn: { kind: 'task', taskIds: ['b'], forMs: 1 } }),
      taskInfo({ id: 'b', name: 'lock#2', parentId: 'm', waitingOn: { kind: 'task', taskIds: ['a'], forMs: 1 } }),
    ];
    const tasks = [taskInfo({ id: 'm', name: 'main' }), ...locks];
    assert.deepEqual(shape(treeRows(snapshotOf(tasks), { ...closed, deadlocked: new Set(['a', 'b']) })), ['main', '  lock#1 (deadlock)', '  lock#2 (deadlock)']);
  });

  it('does not fold siblings that differ in state, wait or subtree', () => {
    const tasks = service(2);
    const changed = tasks.map((t) => (t.id === 'd2' ? { ...t, waitingOn: { kind: 'sleep' as const, ms: 10, forMs: 1 } } : t));
    assert.deepEqual(shape(treeRows(snapshotOf(changed), closed)), ['main', '  worker', '  group http (2)', '    request#1', '      db', '    request#2', '      db']);
  });

  it('draws a 100,000-deep chain without overflowing the stack', () => {
    const tasks: TaskInfo[] = [];
    for (let i = 0; i < 100_000; i++) tasks.push(taskInfo({ id: `t${i}`, name: `step`, parentId: i === 0 ? null : `t${i - 1}`, group: 'step' }));
    const rows = treeRows(snapshotOf(tasks), closed);
    assert.equal(rows.length, 100_000);
    assert.equal(rows[99_999]?.depth, 99_999);
  });
});

describe('revealKeys', () => {
  it('names the runs and collapsed rows to open to show a task', () => {
    const snapshot = snapshotOf(service());
    const { open, runs } = revealKeys(snapshot, 'd2', new Set());
    const shown = treeRows(snapshot, { collapsed: new Set(['m', 'group:m:http', 'r2'].filter((k) => !open.includes(k))), expandedRuns: new Set(runs), deadlocked: new Set() });
    assert.ok(shape(shown).includes('        db'));
    assert.ok(shown.some((r) => r.kind === 'task' && r.task.id === 'd2'));
  });
});
