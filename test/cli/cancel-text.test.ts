// What `tasktree cancel` prints for each thing that can become of the task.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CancelOutcome } from '../../src/cli/commands.js';
import { cancelText } from '../../src/cli/commands.js';
import type { FinishedInfo } from '../../src/inspect/schema.js';
import { taskInfo } from '../helpers/snapshot.js';

const base = { cancelled: 'ab.3', name: 'fetch', path: 'main › fetch', waitMs: 1000, task: null, children: [] } as const;
const finished = (outcome: FinishedInfo['outcome'], error: string | null = null): FinishedInfo => ({
  id: 'ab.3', name: 'fetch', path: 'main › fetch', parentId: 'ab.1', outcome, createdAt: 0, settledAt: 12, durationMs: 12, error, cancelled: null,
});
const who = 'cancel requested for fetch [ab.3] (main › fetch);';

describe('cancelText', () => {
  it('says how and how soon the task ended', () => {
    const ended = (f: FinishedInfo | null): CancelOutcome => ({ ...base, status: 'ended', endedAfterMs: 12, finished: f });
    assert.equal(cancelText(ended(finished('cancelled'))), `${who} it ended 12 ms later: cancelled`);
    assert.equal(cancelText(ended(finished('fulfilled'))), `${who} it ended 12 ms later: fulfilled (it returned instead of throwing its cancellation)`);
    assert.equal(cancelText(ended(finished('rejected', 'Error: cleanup failed'))), `${who} it ended 12 ms later: rejected (Error: cleanup failed)`);
    assert.equal(cancelText(ended(null)), `${who} it ended 12 ms later`, 'gone from the history already');
  });

  it('says when it did not wait, or when the process exited meanwhile', () => {
    assert.equal(cancelText({ ...base, status: 'not-waited', endedAfterMs: null, finished: null, waitMs: 0 }), `${who} not waiting for it to end (--wait 0)`);
    assert.equal(cancelText({ ...base, status: 'exited', endedAfterMs: 40, finished: null }), `${who} the process exited 40 ms later`);
  });

  it('says a task still running after its cancellation may be ignoring its signal, with what it waits on', () => {
    const task = taskInfo({ id: 'ab.3', name: 'fetch', waitingOn: { kind: 'promise', label: 'http.get', forMs: 2500 } });
    assert.equal(
      cancelText({ ...base, status: 'running', endedAfterMs: null, finished: null, task }),
      `${who} still running 1.0 s later, waiting on http.get for 2.5 s (it may be ignoring its signal; see it with tasktree where)`,
    );
  });

  it('names the children a task still waits for', () => {
    const task = taskInfo({ id: 'ab.3', name: 'fetch', waitingOn: { kind: 'group', group: 'fetch', forMs: 1000 } });
    const child = taskInfo({ id: 'ab.4', name: 'retry', parentId: 'ab.3', cancelled: { kind: 'parent-cancelled', message: 'x', forMs: 999 } });
    assert.equal(
      cancelText({ ...base, status: 'running', endedAfterMs: null, finished: null, task, children: [child] }),
      `${who} still running 1.0 s later, waiting on group 'fetch' for 1.0 s: its child has not finished (retry [ab.4] (cancelling); see them with tasktree pstree)`,
    );
  });
});
