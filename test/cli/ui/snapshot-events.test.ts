import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SnapshotEvents, waitLabel } from '../../../src/cli/ui/snapshot-events.js';
import type { FinishedInfo, Snapshot, TaskInfo } from '../../../src/inspect/schema.js';
import { taskInfo } from '../../helpers/snapshot.js';

const T0 = 1_700_000_000_000;

function at(capturedAt: number, tasks: TaskInfo[], finished: FinishedInfo[] = []): Snapshot {
  return { formatVersion: 1, pid: 1, node: 'v20', capturedAt, tasks, finished };
}

function done(id: string, name: string, createdAt: number, settledAt: number, outcome: FinishedInfo['outcome']): FinishedInfo {
  return { id, name, path: name, parentId: null, outcome, createdAt, settledAt, durationMs: settledAt - createdAt, error: null, cancelled: null };
}

describe('SnapshotEvents', () => {
  it('reads a new task as spawned at its creation, and a wait as begun when its forMs says', () => {
    const events = new SnapshotEvents().next(
      at(T0 + 1000, [taskInfo({ id: 'a', name: 'req', createdAt: T0, ageMs: 1000, waitingOn: { kind: 'promise', label: 'db', forMs: 400 } })]),
    );
    assert.deepEqual(events, [
      { type: 'spawn', at: T0, id: 'a', name: 'req', parentId: null, state: 'running' },
      { type: 'wait', at: T0 + 600, id: 'a', label: 'db' },
    ]);
  });

  it('sees a queued task start, a wait end, and a cancellation request at its exact time', () => {
    const feed = new SnapshotEvents();
    feed.next(at(T0 + 100, [taskInfo({ id: 'a', name: 'job', createdAt: T0, state: 'queued', waitingOn: { kind: 'queue', group: 'jobs', forMs: 100 } })]));
    const started = feed.next(at(T0 + 1100, [taskInfo({ id: 'a', name: 'job', createdAt: T0, waitingOn: { kind: 'sleep', ms: 50, forMs: 30 } })]));
    assert.deepEqual(started, [
      { type: 'start', at: T0 + 1070, id: 'a' },
      { type: 'wait', at: T0 + 1070, id: 'a', label: 'sleep 50 ms' },
    ]);
    const resumed = feed.next(at(T0 + 2100, [taskInfo({ id: 'a', name: 'job', createdAt: T0, cancelled: { kind: 'explicit', message: 'x', forMs: 250 } })]));
    assert.deepEqual(resumed, [
      { type: 'resume', at: T0 + 2100, id: 'a' },
      { type: 'cancel', at: T0 + 1850, id: 'a' },
    ]);
  });

  it('does not repeat a wait it has seen, and sees a new wait on the same thing as new', () => {
    const feed = new SnapshotEvents();
    const waiting = (forMs: number, capturedAt: number): Snapshot => at(capturedAt, [taskInfo({ id: 'a', name: 'x', createdAt: T0, waitingOn: { kind: 'promise', label: 'db', forMs } })]);
    feed.next(waiting(100, T0 + 100));
    assert.deepEqual(feed.next(waiting(1100, T0 + 1100)), []);
    assert.deepEqual(feed.next(waiting(50, T0 + 2100)), [{ type: 'wait', at: T0 + 2050, id: 'a', label: 'db' }]);
  });

  it('settles a task at the time its history entry gives, with its outcome', () => {
    const feed = new SnapshotEvents();
    feed.next(at(T0 + 100, [taskInfo({ id: 'a', name: 'x', createdAt: T0 })]));
    assert.deepEqual(feed.next(at(T0 + 1100, [], [done('a', 'x', T0, T0 + 700, 'rejected')])), [{ type: 'settle', at: T0 + 700, id: 'a', outcome: 'rejected' }]);
  });

  it('gives a task that came and went between two snapshots its whole life from the history, once', () => {
    const feed = new SnapshotEvents();
    feed.next(at(T0, []));
    const history = [done('b', 'quick', T0 + 200, T0 + 300, 'fulfilled')];
    assert.deepEqual(feed.next(at(T0 + 1000, [], history)), [
      { type: 'spawn', at: T0 + 200, id: 'b', name: 'quick', parentId: null, state: 'running' },
      { type: 'settle', at: T0 + 300, id: 'b', outcome: 'fulfilled' },
    ]);
    assert.deepEqual(feed.next(at(T0 + 2000, [], history)), []);
  });

  it('says a task that left without a history entry is gone', () => {
    const feed = new SnapshotEvents();
    feed.next(at(T0, [taskInfo({ id: 'a', name: 'x', createdAt: T0 })]));
    assert.deepEqual(feed.next(at(T0 + 1000, [])), [{ type: 'settle', at: T0 + 1000, id: 'a', outcome: 'gone' }]);
  });
});

describe('waitLabel', () => {
  it('names the awaited tasks', () => {
    const names = new Map([
      ['x', 'lock-b'],
      ['y', 'db'],
    ]);
    assert.equal(waitLabel({ kind: 'task', taskIds: ['x'], forMs: 1 }, names), 'task lock-b');
    assert.equal(waitLabel({ kind: 'task', taskIds: ['x', 'y', 'z'], forMs: 1 }, names), 'tasks lock-b, db +1');
  });
});
