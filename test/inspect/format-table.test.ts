import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatTable } from '../../src/inspect/format-table.js';
import { snapshotOf, taskInfo } from '../helpers/snapshot.js';

describe('formatTable', () => {
  it('prints one aligned row per task with its wait and awaiters', () => {
    const tasks = [
      taskInfo({ id: 'a.1', name: 'main', path: 'main', ageMs: 5200 }),
      taskInfo({ id: 'a.2', name: 'request#1', path: 'main › request#1', parentId: 'a.1', ageMs: 1300, waitingOn: { kind: 'task', taskIds: ['a.3'], forMs: 1200 } }),
      taskInfo({ id: 'a.3', name: 'db', path: 'main › request#1 › db', parentId: 'a.2', waitingOn: { kind: 'promise', label: 'db.query', forMs: 2300 }, awaitedBy: ['a.2'] }),
    ];
    assert.equal(
      formatTable(snapshotOf(tasks)),
      [
        'ID   NAME       STATE    AGE    WAITING ON     FOR    AWAITED BY  PATH',
        'a.1  main       running  5.2 s  -              -      -           main',
        'a.2  request#1  running  1.3 s  task db [a.3]  1.2 s  -           main › request#1',
        'a.3  db         running  1.0 s  db.query       2.3 s  request#1   main › request#1 › db',
        '',
      ].join('\n'),
    );
  });

  it('cuts long cells and marks tasks whose cancellation is pending', () => {
    const tasks = [
      taskInfo({ id: 'a.1', name: 'x'.repeat(60), cancelled: { kind: 'explicit', message: 'cancelled explicitly', forMs: 10 } }),
    ];
    const lines = formatTable(snapshotOf(tasks), { maxCell: 10 }).split('\n');
    assert.equal(lines[1], `a.1  xxxxxxxxx…  running*  1.0 s  -           -    -           ${'x'.repeat(60)}`);
    assert.equal(lines[3], '* cancellation requested; the task has not finished yet');
  });

  it('prints only the header when there are no tasks', () => {
    assert.equal(formatTable(snapshotOf([])), 'ID  NAME  STATE  AGE  WAITING ON  FOR  AWAITED BY  PATH\n');
  });
});
