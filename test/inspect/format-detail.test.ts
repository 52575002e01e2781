import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatTaskDetail } from '../../src/inspect/format-detail.js';
import type { FinishedInfo, Snapshot, TaskInfo } from '../../src/inspect/schema.js';
import { taskInfo } from '../helpers/snapshot.js';

const T0 = Date.UTC(2025, 0, 2, 3, 4, 5);

function task(fields: Partial<TaskInfo> & Pick<TaskInfo, 'id' | 'name' | 'path'>): TaskInfo {
  return taskInfo({ createdAt: T0, ageMs: 2300, ...fields });
}

const finished: FinishedInfo = {
  id: 'p.9',
  name: 'fetch-user',
  path: 'main › request#42 › fetch-user',
  parentId: 'p.2',
  outcome: 'rejected',
  createdAt: T0,
  settledAt: T0 + 1200,
  durationMs: 1200,
  error: 'Error: connect ECONNREFUSED',
  cancelled: null,
};

const snapshot: Snapshot = {
  formatVersion: 1,
  pid: 4242,
  node: 'v24.0.0',
  capturedAt: T0 + 2300,
  tasks: [
    task({ id: 'p.1', name: 'main', path: 'main', waitingOn: { kind: 'group', group: 'main', forMs: 2250 } }),
    task({
      id: 'p.2',
      name: 'request#42',
      path: 'main › request#42',
      parentId: 'p.1',
      ageMs: 83_000,
      waitingOn: { kind: 'task', taskIds: ['p.3', 'p.77'], forMs: 1234 },
      awaitedBy: ['p.1'],
      cancelled: { kind: 'timeout', message: "'request#42' timed out after 5000 ms", forMs: 450 },
      attributes: { route: '/users/:id', attempt: 2, cached: false },
      createdAtSite: ['at handle (file:///app/server.js:10:5)', 'at main (file:///app/server.js:3:1)'],
      awaitSite: ['  at handle (file:///app/server.js:12:11)'],
    }),
    task({
      id: 'p.3',
      name: 'db',
      path: 'main › request#42 › db',
      parentId: 'p.2',
      group: 'request#42',
      ageMs: 999,
      waitingOn: { kind: 'promise', label: 'db.query', forMs: 999 },
      awaitedBy: ['p.2'],
    }),
    task({
      id: 'p.4',
      name: 'cache',
      path: 'main › request#42 › cache',
      parentId: 'p.2',
      group: 'request#42',
      state: 'queued',
      daemon: true,
      ageMs: 3_725_000,
      waitingOn: { kind: 'queue', group: 'request#42', forMs: 3_725_000 },
      cancelled: { kind: 'explicit', message: 'cancelled explicitly', forMs: 10 },
    }),
    task({
      id: 'p.5',
      name: 'ticker',
      path: 'main › ticker',
      parentId: 'p.1',
      daemon: true,
      waitingOn: { kind: 'sleep', ms: 60_000, forMs: 59_000 },
    }),
  ],
  finished: [finished],
  stacks: null,
};

describe('formatTaskDetail', () => {
  it('describes a task with everything the snapshot knows about it', () => {
    assert.equal(
      formatTaskDetail(snapshot, 'p.2'),
      [
        'request#42 [p.2]',
        '  path         main › request#42',
        '  state        cancelling',
        '  parent       main [p.1]',
        '  group        main',
        '  age          1 min 23 s (created 2025-01-02T03:04:05.000Z)',
        '  waiting on   2 tasks: db [p.3], [p.77] for 1.2 s',
        '  awaited by   main [p.1]',
        "  cancelled    timeout: 'request#42' timed out after 5000 ms, 450 ms ago (still running)",
        '  attributes',
        '    route = "/users/:id"',
        '    attempt = 2',
        '    cached = false',
        '  created at',
        '    at handle (file:///app/server.js:10:5)',
        '    at main (file:///app/server.js:3:1)',
        '  await site',
        '    at handle (file:///app/server.js:12:11)',
        '  children (2)',
        '    db [p.3]  running, waiting on db.query for 999 ms',
        "    cache [p.4]  cancelling, daemon, waiting on a slot in 'request#42' for 1 h 2 min, cancel requested 10 ms ago",
      ].join('\n'),
    );
  });

  it('describes a root task waiting on its group', () => {
    assert.equal(
      formatTaskDetail(snapshot, 'p.1'),
      [
        'main [p.1]',
        '  path         main',
        '  state        running',
        '  parent       – (root task)',
        '  group        main',
        '  age          2.3 s (created 2025-01-02T03:04:05.000Z)',
        "  waiting on   group 'main' for 2.3 s",
        '  awaited by   –',
        '  children (2)',
        '    request#42 [p.2]  cancelling, waiting on 2 tasks: db [p.3], [p.77] for 1.2 s, cancel requested 450 ms ago',
        '    ticker [p.5]  running, daemon, waiting on sleep 60000 ms for 59.0 s',
      ].join('\n'),
    );
  });

  it('names a single awaited task like the tree does', () => {
    const single: Snapshot = {
      ...snapshot,
      tasks: [
        task({ id: 'r.1', name: 'main', path: 'main', waitingOn: { kind: 'task', taskIds: ['r.2'], forMs: 40 } }),
        task({ id: 'r.2', name: 'child', path: 'main › child', parentId: 'r.1', awaitedBy: ['r.1'] }),
      ],
    };
    assert.match(formatTaskDetail(single, 'r.1'), /^  waiting on   task child \[r\.2\] for 40 ms$/m);
    assert.match(formatTaskDetail(single, 'r.2'), /^  awaited by   main \[r\.1\]$/m);
  });

  it('describes a leaf task with no recorded wait', () => {
    const lone: Snapshot = { ...snapshot, tasks: [task({ id: 'q.1', name: 'lone', path: 'lone', ageMs: 5 })], finished: [] };
    assert.equal(
      formatTaskDetail(lone, 'q.1'),
      [
        'lone [q.1]',
        '  path         lone',
        '  state        running',
        '  parent       – (root task)',
        '  group        main',
        '  age          5 ms (created 2025-01-02T03:04:05.000Z)',
        '  waiting on   – (nothing tasktree saw; `tasktree where` without --no-stacks shows where it is suspended)',
        '  awaited by   –',
        '  children     –',
      ].join('\n'),
    );
  });

  it('prints the OpenTelemetry trace and span of an instrumented task', () => {
    const traced: Snapshot = {
      ...snapshot,
      tasks: [task({ id: 'q.1', name: 'lone', path: 'lone', ageMs: 5, traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' })],
      finished: [],
    };
    const lines = formatTaskDetail(traced, 'q.1').split('\n');
    assert.equal(lines[lines.indexOf('  awaited by   –') + 1], '  trace        4bf92f3577b34da6a3ce929d0e0e4736  span 00f067aa0ba902b7');
  });

  it('describes a finished task from the history', () => {
    assert.equal(
      formatTaskDetail(snapshot, 'p.9'),
      [
        'fetch-user [p.9] — finished',
        '  path         main › request#42 › fetch-user',
        '  outcome      rejected after 1.2 s, 1.1 s ago',
        '  parent       request#42 [p.2]',
        '  created      2025-01-02T03:04:05.000Z',
        '  settled      2025-01-02T03:04:06.200Z',
        '  error        Error: connect ECONNREFUSED',
      ].join('\n'),
    );
  });

  it('prints the OpenTelemetry trace and span a finished task was', () => {
    const traced: FinishedInfo = { ...finished, traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' };
    const lines = formatTaskDetail({ ...snapshot, finished: [traced] }, 'p.9').split('\n');
    assert.deepEqual(lines.slice(-2), ['  error        Error: connect ECONNREFUSED', '  trace        4bf92f3577b34da6a3ce929d0e0e4736  span 00f067aa0ba902b7']);
  });

  it('says who asked for a cancellation, and in debug mode where cancel() was called', () => {
    const by = {
      source: 'task',
      task: { id: 'p.7', path: 'main › supervisor' },
      group: null,
      reason: 'too slow',
      message: 'main › supervisor [p.7]',
      site: ['check (file:///app/supervisor.js:20:9)', 'file:///app/supervisor.js:31:3'],
    } as const;
    const live = task({ id: 'w.1', name: 'worker', path: 'main › worker', ageMs: 5, cancelled: { kind: 'explicit', message: 'cancelled explicitly: too slow', forMs: 300, by } });
    const lines = formatTaskDetail({ ...snapshot, tasks: [live] }, 'w.1').split('\n');
    assert.deepEqual(lines.slice(lines.indexOf('  awaited by   –') + 1, -1), [
      '  cancelled    explicit: cancelled explicitly: too slow, 300 ms ago (still running)',
      '  by           main › supervisor [p.7] (task)',
      '  cancel() at',
      '    check (file:///app/supervisor.js:20:9)',
      '    file:///app/supervisor.js:31:3',
    ]);
  });

  it('says when a finished task let another cancellation through, and when no one was seen asking', () => {
    const cli = { source: 'cli', task: null, group: null, reason: 'stuck', message: 'tasktree cancel: "stuck"', site: null } as const;
    const rethrew: FinishedInfo = {
      ...finished,
      id: 'r.1',
      outcome: 'cancelled',
      error: null,
      cancelled: { kind: 'explicit', message: 'cancelled explicitly: stuck', by: cli, rethrown: true },
    };
    const handMade: FinishedInfo = { ...rethrew, id: 'r.2', cancelled: { kind: 'explicit', message: 'cancelled explicitly', by: null, rethrown: true } };
    const both = { ...snapshot, finished: [rethrew, handMade] };
    assert.deepEqual(formatTaskDetail(both, 'r.1').split('\n').slice(-2), [
      '  cancelled    explicit: cancelled explicitly: stuck (not its own: its function let this cancellation through)',
      '  by           tasktree cancel: "stuck" (cli)',
    ]);
    assert.equal(formatTaskDetail(both, 'r.2').split('\n').at(-1), '  by           – (not recorded: a CancelledError the code made itself)');
  });

  it('throws a RangeError for an id the snapshot does not have', () => {
    assert.throws(() => formatTaskDetail(snapshot, 'nope'), {
      name: 'RangeError',
      message: 'formatTaskDetail: no task with id "nope" in the snapshot of pid 4242',
    });
  });
});

describe('formatTaskDetail with stacks', () => {
  it('names the tasks a combinator awaits instead of calling them plain promises', () => {
    const all = { fn: 'loadAll', file: 'app.ts', line: 12, column: 3, awaits: { combinator: 'Promise.all' as const, branches: [[], []] } };
    const tasks = [
      task({ id: 'q.1', name: 'main', path: 'main', ageMs: 9, waitingOn: { kind: 'task', taskIds: ['q.2', 'q.3'], forMs: 8 }, stack: [all] }),
      task({ id: 'q.2', name: 'users', path: 'main › users', parentId: 'q.1', ageMs: 8, awaitedBy: ['q.1'] }),
      task({ id: 'q.3', name: 'posts', path: 'main › posts', parentId: 'q.1', ageMs: 8, awaitedBy: ['q.1'] }),
    ];
    const text = formatTaskDetail({ ...snapshot, tasks, finished: [] }, 'q.1');
    assert.match(text, /\n {2}suspended at\n {4}loadAll \(app\.ts:12:3\)\n {6}Promise\.all of users \[q\.2\], posts \[q\.3\]\n/);
    assert.doesNotMatch(text, /no async function/);
  });
});
