import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatTree } from '../../src/inspect/format-tree.js';
import type { StackFrame, TaskInfo } from '../../src/inspect/schema.js';
import { snapshotOf, taskInfo } from '../helpers/snapshot.js';

const main = taskInfo({ id: 'a.1', name: 'main', ageMs: 5200, waitingOn: { kind: 'group', group: 'main', forMs: 5100 } });

describe('formatTree', () => {
  it('nests children under their parents with box-drawing lines', () => {
    const tasks = [
      main,
      taskInfo({ id: 'a.2', name: 'request#1', parentId: 'a.1', ageMs: 1300, waitingOn: { kind: 'task', taskIds: ['a.4'], forMs: 1200 } }),
      taskInfo({ id: 'a.3', name: 'auth', parentId: 'a.2', ageMs: 1250, state: 'queued', waitingOn: { kind: 'queue', group: 'request#1', forMs: 1250 } }),
      taskInfo({ id: 'a.4', name: 'db', parentId: 'a.2', ageMs: 1250, waitingOn: { kind: 'promise', label: 'db.query users', forMs: 2300 }, awaitedBy: ['a.2'] }),
      taskInfo({ id: 'a.5', name: 'ticker', parentId: 'a.1', ageMs: 65_000, daemon: true, waitingOn: { kind: 'sleep', ms: 1000, forMs: 400 } }),
    ];
    assert.equal(
      formatTree(snapshotOf(tasks)),
      [
        "└── main [a.1] running 5.2 s — waiting on group 'main' for 5.1 s",
        '    ├── request#1 [a.2] running 1.3 s — waiting on task db [a.4] for 1.2 s',
        "    │   ├── auth [a.3] queued 1.3 s — waiting on a slot in 'request#1' for 1.3 s",
        '    │   └── db [a.4] running 1.3 s — waiting on db.query users for 2.3 s',
        '    └── ticker [a.5] running 1 min 5 s (daemon) — waiting on sleep 1000 ms for 400 ms',
        '',
      ].join('\n'),
    );
  });

  it('collapses identical sibling subtrees, even when their names differ only in numbers', () => {
    const tasks = [main];
    for (let i = 0; i < 120; i++) {
      tasks.push(taskInfo({ id: `w.${i}`, name: `worker-${i}`, parentId: 'a.1', ageMs: 900 + i, waitingOn: { kind: 'sleep', ms: 50, forMs: 10 } }));
      tasks.push(taskInfo({ id: `c.${i}`, name: 'child', parentId: `w.${i}`, ageMs: 800 }));
    }
    tasks.push(taskInfo({ id: 'x.1', name: 'other', parentId: 'a.1', ageMs: 10 }));
    assert.equal(
      formatTree(snapshotOf(tasks)),
      [
        "└── main [a.1] running 5.2 s — waiting on group 'main' for 5.1 s",
        '    ├── [x120] worker-0 … worker-119 [w.0 …] running 900 ms–1.0 s — waiting on sleep 50 ms',
        '    │   └── child [c.0] running 800 ms',
        '    └── other [x.1] running 10 ms',
        '',
      ].join('\n'),
    );
  });

  it('shows every sibling when asked to expand', () => {
    const tasks = [main, taskInfo({ id: 'w.1', name: 'w', parentId: 'a.1' }), taskInfo({ id: 'w.2', name: 'w', parentId: 'a.1' })];
    assert.equal(
      formatTree(snapshotOf(tasks), { expand: true }),
      [
        "└── main [a.1] running 5.2 s — waiting on group 'main' for 5.1 s",
        '    ├── w [w.1] running 1.0 s',
        '    └── w [w.2] running 1.0 s',
        '',
      ].join('\n'),
    );
    assert.match(formatTree(snapshotOf(tasks)), /\[x2\] w \[w\.1 …\] running 1\.0 s/);
  });

  it('does not collapse siblings whose subtrees differ', () => {
    const tasks = [
      main,
      taskInfo({ id: 'w.1', name: 'w', parentId: 'a.1' }),
      taskInfo({ id: 'w.2', name: 'w', parentId: 'a.1' }),
      taskInfo({ id: 'c.1', name: 'child', parentId: 'w.2' }),
    ];
    assert.doesNotMatch(formatTree(snapshotOf(tasks)), /\[x2\]/);
  });

  it('prints awaited-by cycles as deadlocks', () => {
    const tasks = [
      main,
      taskInfo({ id: 'l.2', name: 'lock-b', parentId: 'a.1', waitingOn: { kind: 'task', taskIds: ['l.1'], forMs: 3000 }, awaitedBy: ['l.1'] }),
      taskInfo({ id: 'l.1', name: 'lock-a', parentId: 'a.1', waitingOn: { kind: 'task', taskIds: ['l.2'], forMs: 3000 }, awaitedBy: ['l.2'] }),
      taskInfo({ id: 's.1', name: 'self', parentId: 'a.1', waitingOn: { kind: 'task', taskIds: ['s.1'], forMs: 10 } }),
    ];
    const text = formatTree(snapshotOf(tasks), { expand: true });
    assert.ok(
      text.endsWith(
        [
          '',
          'Deadlocks (2 cycles of tasks awaiting each other):',
          '  lock-a [l.1] → lock-b [l.2] → lock-a [l.1]',
          '  self [s.1] → self [s.1]',
          '',
        ].join('\n'),
      ),
      text,
    );
  });

  it('shows a task whose cancellation was requested, but which has not finished, as cancelling', () => {
    const tasks = [taskInfo({ id: 'a.1', name: 'stubborn', cancelled: { kind: 'explicit', message: 'cancelled explicitly', forMs: 6000 } })];
    assert.equal(formatTree(snapshotOf(tasks)), '└── stubborn [a.1] cancelling 1.0 s — cancel requested 6.0 s ago (cancelled explicitly)\n');
  });

  it('says who asked for a cancellation when its message does not (a task, the CLI), and not twice when it does', () => {
    const boss = { source: 'task', task: { id: 'a.7', path: 'main › boss' }, group: null, reason: null, message: 'main › boss [a.7]', site: null } as const;
    const sibling = { source: 'sibling-failed', task: { id: 'a.8', path: 'main › db' }, group: null, reason: 'Error: x', message: 'main › db [a.8], which failed: Error: x', site: null } as const;
    const tasks = [
      taskInfo({ id: 'a.1', name: 'worker', cancelled: { kind: 'explicit', message: 'cancelled explicitly', forMs: 6000, by: boss } }),
      taskInfo({ id: 'a.2', name: 'cache', cancelled: { kind: 'sibling-failed', message: "sibling 'db' (a.8) failed: Error: x", forMs: 10, by: sibling } }),
    ];
    assert.equal(
      formatTree(snapshotOf(tasks)),
      [
        '├── worker [a.1] cancelling 1.0 s — cancel requested 6.0 s ago (cancelled explicitly, by main › boss [a.7])',
        "└── cache [a.2] cancelling 1.0 s — cancel requested 10 ms ago (sibling 'db' (a.8) failed: Error: x)",
        '',
      ].join('\n'),
    );
  });

  it('shows a named group as a level of its own, its tasks under it, and collapses identical groups', () => {
    const tasks = [
      main,
      taskInfo({ id: 'a.2', name: 'poller', parentId: 'a.1', namedGroup: 'background', waitingOn: { kind: 'sleep', ms: 500, forMs: 100 } }),
      taskInfo({ id: 'a.3', name: 'handler', parentId: 'a.1', namedGroup: 'request#1', waitingOn: { kind: 'promise', label: 'db', forMs: 100 } }),
      taskInfo({ id: 'a.4', name: 'handler', parentId: 'a.1', namedGroup: 'request#2', waitingOn: { kind: 'promise', label: 'db', forMs: 100 } }),
      taskInfo({ id: 'a.5', name: 'audit', parentId: 'a.1', namedGroup: 'background' }),
      taskInfo({ id: 'a.6', name: 'own', parentId: 'a.1' }),
      taskInfo({ id: 'b.1', name: 'job', namedGroup: 'jobs' }),
    ];
    assert.equal(
      formatTree(snapshotOf(tasks)),
      [
        "├── main [a.1] running 5.2 s — waiting on group 'main' for 5.1 s",
        '│   ├── background (group)',
        '│   │   ├── poller [a.2] running 1.0 s — waiting on sleep 500 ms for 100 ms',
        '│   │   └── audit [a.5] running 1.0 s',
        '│   ├── [x2] request#1 … request#2 (group)',
        '│   │   └── handler [a.3] running 1.0 s — waiting on db for 100 ms',
        '│   └── own [a.6] running 1.0 s',
        '└── jobs (group)',
        '    └── job [b.1] running 1.0 s',
        '',
      ].join('\n'),
    );
    assert.match(formatTree(snapshotOf(tasks), { expand: true }), /├── request#1 \(group\)\n│   │   └── handler \[a\.3\][^\n]*\n│   ├── request#2 \(group\)\n│   │   └── handler \[a\.4\]/);
  });

  it('shows attributes inline, after the id', () => {
    const tasks = [taskInfo({ id: 'a.1', name: 'handler', attributes: { route: '/users', method: 'GET', retry: false, q: 'a, b' } })];
    assert.equal(formatTree(snapshotOf(tasks)), '└── handler [a.1] {route=/users, method=GET, retry=false, q="a, b"} running 1.0 s\n');
  });

  it('keeps siblings whose attributes differ apart, and collapses those that differ only in numbers', () => {
    const tasks = [main];
    for (const [i, route] of ['/users/1', '/users/2', '/users/3', '/posts/1'].entries()) {
      tasks.push(taskInfo({ id: `h.${i}`, name: 'handler', parentId: 'a.1', attributes: { route: route, requestId: 100 + i } }));
    }
    assert.equal(
      formatTree(snapshotOf(tasks)),
      [
        "└── main [a.1] running 5.2 s — waiting on group 'main' for 5.1 s",
        '    ├── [x3] handler [h.0 …] {route=/users/1 … /users/3, requestId=100 … 102} running 1.0 s',
        '    └── handler [h.3] {route=/posts/1, requestId=103} running 1.0 s',
        '',
      ].join('\n'),
    );
  });

  it('shows only the matching tasks and their ancestors with a filter, the ancestors marked (context)', () => {
    const tasks = [
      main,
      taskInfo({ id: 'r.1', name: 'request#1', parentId: 'a.1', attributes: { route: '/users' } }),
      taskInfo({ id: 'q.1', name: 'db-query', parentId: 'r.1', waitingOn: { kind: 'promise', label: 'db.query', forMs: 300 } }),
      taskInfo({ id: 'r.2', name: 'request#2', parentId: 'a.1', attributes: { route: '/posts' } }),
      taskInfo({ id: 'q.2', name: 'cache', parentId: 'r.2' }),
      taskInfo({ id: 't.1', name: 'ticker', parentId: 'a.1' }),
    ];
    assert.equal(
      formatTree(snapshotOf(tasks), { filter: { name: 'db-*' } }),
      [
        '└── main [a.1] (context)',
        '    └── request#1 [r.1] {route=/users} (context)',
        '        └── db-query [q.1] running 1.0 s — waiting on db.query for 300 ms',
        '',
        '1 of 6 live tasks match name "db-*"; (context) marks their ancestors',
        '',
      ].join('\n'),
    );
    assert.equal(
      formatTree(snapshotOf(tasks), { filter: { attributes: { route: '/posts' } } }).split('\n')[1],
      '    └── request#2 [r.2] {route=/posts} running 1.0 s',
      'the children of a matching task are not shown unless they match',
    );
    assert.equal(formatTree(snapshotOf(tasks), { filter: { name: 'nothing' } }), '0 of 6 live tasks match name "nothing"\n');
  });

  it('says so when there are no live tasks', () => {
    assert.equal(formatTree(snapshotOf([])), '(no live tasks)\n');
  });

  it('renders a chain 100,000 tasks deep without overflowing the stack', () => {
    const tasks = [];
    for (let i = 0; i < 100_000; i++) tasks.push(taskInfo({ id: `d.${i}`, name: 'link', parentId: i === 0 ? null : `d.${i - 1}` }));
    const lines = formatTree(snapshotOf(tasks)).split('\n');
    assert.equal(lines.length, 100_001);
  });
});

describe('formatTree with stacks', () => {
  const frame = (fn: string, line: number, awaits?: StackFrame['awaits']): StackFrame =>
    awaits === undefined ? { fn, file: 'app.ts', line, column: 3 } : { fn, file: 'app.ts', line, column: 3, awaits };
  const withStacks = (tasks: TaskInfo[]) => ({ ...snapshotOf(tasks), stacks: { totalMs: 1, longestStopMs: 1, stoppedMs: 1, heapBytes: 1, tasks: tasks.length } as never });

  it('names the combinator on the awaiting line when it awaits only the tasks hung under it', () => {
    const all = frame('loadAll', 12, { combinator: 'Promise.all', branches: [[], []] });
    const tasks = [
      taskInfo({ id: 'a.1', name: 'main', ageMs: 900, waitingOn: { kind: 'task', taskIds: ['a.2', 'a.3'], forMs: 800 }, stack: [all, frame('main', 20)] }),
      taskInfo({ id: 'a.2', name: 'users', parentId: 'a.1', ageMs: 800, awaitedBy: ['a.1'], stack: [frame('users', 5)] }),
      taskInfo({ id: 'a.3', name: 'posts', parentId: 'a.1', ageMs: 800, awaitedBy: ['a.1'], stack: [frame('posts', 8)] }),
    ];
    assert.equal(
      formatTree(withStacks(tasks)),
      [
        '└── main [a.1] running 900 ms — waiting on 2 tasks: users [a.2], posts [a.3] for 800 ms',
        '    └── main app.ts:20',
        '        └── loadAll app.ts:12 — Promise.all of the 2 tasks below',
        '            ├── users [a.2] running 800 ms',
        '            │   └── users app.ts:5',
        '            └── posts [a.3] running 800 ms',
        '                └── posts app.ts:8',
        '',
      ].join('\n'),
    );
  });

  it('keeps each branch when the combinator awaits more than those tasks', () => {
    const race = frame('first', 12, { combinator: 'Promise.race', branches: [[], [frame('timeout', 30)]] });
    const tasks = [
      taskInfo({ id: 'a.1', name: 'main', ageMs: 900, waitingOn: { kind: 'task', taskIds: ['a.2'], forMs: 800 }, stack: [race] }),
      taskInfo({ id: 'a.2', name: 'users', parentId: 'a.1', ageMs: 800, awaitedBy: ['a.1'], stack: [frame('users', 5)] }),
    ];
    const out = formatTree(withStacks(tasks));
    assert.match(out, /first app\.ts:12\n +├── Promise\.race #0: a promise \(no async function\)\n +├── Promise\.race #1: timeout app\.ts:30\n/);
  });
});
