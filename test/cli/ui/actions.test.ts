import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CancelActions, MAX_ACTIONS } from '../../../src/cli/ui/actions.js';
import type { FinishedInfo } from '../../../src/inspect/schema.js';
import { snapshotOf, taskInfo } from '../../helpers/snapshot.js';

const request = { name: 'worker', path: 'main › worker', reason: 'stop', requestedAt: 1000 };

describe('CancelActions', () => {
  it('follows an accepted request while the task runs on, then to how it ended', () => {
    const actions = new CancelActions();
    actions.add({ ...request, taskId: 'a.1', error: null });
    actions.update({ ...snapshotOf([taskInfo({ id: 'a.1', name: 'worker' })]), capturedAt: 1500 });
    assert.deepEqual(actions.all().map((a) => [a.status, a.at]), [['requested', 1500]]);
    const done: FinishedInfo = { id: 'a.1', name: 'worker', path: 'main › worker', parentId: null, outcome: 'cancelled', createdAt: 0, settledAt: 1700, durationMs: 1700, error: null, cancelled: null };
    actions.update({ ...snapshotOf([]), finished: [done] });
    assert.deepEqual(actions.all().map((a) => [a.status, a.outcome, a.at]), [['settled', 'cancelled', 1700]]);
  });

  it('says a task that left without a history entry is gone, and keeps a refused request as failed', () => {
    const actions = new CancelActions();
    actions.add({ ...request, taskId: 'a.1', error: null });
    actions.add({ ...request, taskId: 'a.2', error: 'no live task with id "a.2"' });
    actions.update(snapshotOf([]));
    assert.deepEqual(actions.all().map((a) => [a.seq, a.status]), [[1, 'gone'], [2, 'failed']]);
  });

  it(`keeps the latest ${MAX_ACTIONS}`, () => {
    const actions = new CancelActions();
    for (let i = 0; i < MAX_ACTIONS + 5; i++) actions.add({ ...request, taskId: `a.${i}`, error: null });
    assert.equal(actions.all().length, MAX_ACTIONS);
    assert.equal(actions.all()[0]?.seq, 6);
  });
});
