import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration as inspectFormatDuration } from '../../src/inspect/describe.js';
import { cancelText, formatDuration, liveState, waitTarget, waitText } from '../../src/ui/format.js';
import { taskInfo } from '../helpers/snapshot.js';

describe('the page\'s words', () => {
  it('prints durations exactly as the CLI does', () => {
    for (const ms of [0, 12.4, 999, 1000, 2345, 59_999, 60_000, 245_000, 3_600_000, 7_380_000]) assert.equal(formatDuration(ms), inspectFormatDuration(ms), String(ms));
  });

  it('names what a task waits on', () => {
    const names = new Map([['a.2', 'lock-b']]);
    assert.equal(waitText({ kind: 'task', taskIds: ['a.2'], forMs: 1500 }, names), 'waiting on task lock-b for 1.5 s');
    assert.equal(waitTarget({ kind: 'task', taskIds: ['a.2', 'a.3', 'a.4', 'a.5'], forMs: 1 }, names), '4 tasks: lock-b, a.3, a.4, +1 more');
    assert.equal(waitTarget({ kind: 'queue', group: 'jobs', forMs: 1 }, names), "a slot in 'jobs'");
    assert.equal(waitTarget({ kind: 'group', group: 'jobs', forMs: 1 }, names), "its children in 'jobs'");
    assert.equal(waitText(null, names), '');
  });

  it('calls a live task queued, running, waiting, or cancelling', () => {
    assert.equal(liveState(taskInfo({ id: 'a', name: 'a', state: 'queued' })), 'queued');
    assert.equal(liveState(taskInfo({ id: 'a', name: 'a' })), 'running');
    assert.equal(liveState(taskInfo({ id: 'a', name: 'a', waitingOn: { kind: 'sleep', ms: 1, forMs: 1 } })), 'waiting');
    assert.equal(liveState(taskInfo({ id: 'a', name: 'a', cancelled: { kind: 'explicit', message: 'x', forMs: 1 } })), 'cancelling');
  });

  it('says why a task was cancelled and who asked, with whatever fields a later snapshot adds', () => {
    assert.equal(cancelText({ kind: 'explicit', message: 'cancelled explicitly: stop' }), 'cancelled explicitly: stop');
    const by = { source: 'task', task: { id: 'a.1', path: 'main › boss' }, group: null, reason: 'stop', message: 'main › boss [a.1]', site: null } as const;
    assert.equal(cancelText({ kind: 'explicit', message: 'cancelled explicitly: stop', by }), 'cancelled explicitly: stop; by main › boss [a.1]');
    assert.equal(cancelText({ kind: 'explicit', message: 'cancelled explicitly: stop', by: null }), 'cancelled explicitly: stop');
    assert.equal(
      cancelText({ kind: 'explicit', message: 'cancelled explicitly: stop', by, rethrown: true }),
      'cancelled explicitly: stop; not its own: it let this cancellation through; by main › boss [a.1]',
    );
    const later = { kind: 'explicit', message: 'cancelled explicitly', pid: 4 } as { kind: string; message: string };
    assert.equal(cancelText(later), 'cancelled explicitly; pid: 4');
  });
});
