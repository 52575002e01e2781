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

  it('cuts long cells, and spells out a pending cancellation as the state cancelling', () => {
    const tasks = [
      taskInfo({ id: 'a.1', name: 'x'.repeat(60), cancelled: { kind: 'explicit', message: 'cancelled explicitly', forMs: 10 } }),
    ];
    const text = formatTable(snapshotOf(tasks), { maxCell: 10 });
    assert.equal(
      text,
      ['ID   NAME        STATE       AGE    WAITING ON  FOR  AWAITED BY  PATH', `a.1  xxxxxxxxx…  cancelling  1.0 s  -           -    -           ${'x'.repeat(60)}`, ''].join('\n'),
    );
    assert.doesNotMatch(text, /\*/, 'no unexplained marker');
  });

  it('shows attributes as key=value pairs in their own column, cut like the other cells', () => {
    const tasks = [
      taskInfo({ id: 'a.1', name: 'main' }),
      taskInfo({ id: 'a.2', name: 'handler', path: 'main › handler', attributes: { route: '/users', method: 'GET', id: 7, note: 'two words and more' } }),
    ];
    assert.equal(
      formatTable(snapshotOf(tasks)),
      [
        'ID   NAME     STATE    AGE    WAITING ON  FOR  AWAITED BY  ATTRIBUTES                                        PATH',
        'a.1  main     running  1.0 s  -           -    -           -                                                 main',
        'a.2  handler  running  1.0 s  -           -    -           route=/users, method=GET, id=7, note="two words…  main › handler',
        '',
      ].join('\n'),
    );
  });

  it('shows only the matching rows with a filter, and says how many of how many match', () => {
    const tasks = [
      taskInfo({ id: 'a.1', name: 'main' }),
      taskInfo({ id: 'a.2', name: 'request#1', parentId: 'a.1' }),
      taskInfo({ id: 'a.3', name: 'request#2', parentId: 'a.1', state: 'queued' }),
    ];
    assert.equal(
      formatTable(snapshotOf(tasks), { filter: { name: 'request#*', states: ['queued'] } }),
      [
        'ID   NAME       STATE   AGE    WAITING ON  FOR  AWAITED BY  PATH',
        'a.3  request#2  queued  1.0 s  -           -    -           request#2',
        '',
        '1 of 3 live tasks match name "request#*", state queued',
        '',
      ].join('\n'),
    );
    assert.equal(formatTable(snapshotOf(tasks.slice(0, 1)), { filter: { name: 'x*' } }), '0 of 1 live task match name "x*"\n');
  });

  it('says (no live tasks) when there are none, like the tree', () => {
    assert.equal(formatTable(snapshotOf([])), '(no live tasks)\n');
  });
});
