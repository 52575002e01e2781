import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { markerLocation, runFixture } from './child.js';

type Stages = Record<'awaiting-task' | 'awaiting-plain' | 'sleeping', { awaitSite: string[] | null; callStack: string[] }>;

describe('debug mode’s await site', () => {
  it('is where the task waits now: shown while it awaits a task, gone once that wait is over', async () => {
    const { code, stdout, stderr } = await runFixture('debug-await-site');
    assert.equal(code, 0, stderr);
    const stages = JSON.parse(stdout) as Stages;
    const awaitLine = `${markerLocation('debug-await-site', 'AWAIT-TASK')}:`;
    assert.ok(stages['awaiting-task'].awaitSite?.[0]?.includes(awaitLine), JSON.stringify(stages['awaiting-task']));
    assert.ok(stages['awaiting-task'].callStack[0]?.includes(awaitLine), JSON.stringify(stages['awaiting-task']));
    for (const stage of ['awaiting-plain', 'sleeping'] as const) {
      assert.equal(stages[stage].awaitSite, null, `${stage}: ${JSON.stringify(stages[stage])}`);
      assert.ok(!stages[stage].callStack.some((line) => line.includes(awaitLine)), `${stage}: ${JSON.stringify(stages[stage])}`);
    }
  });
});
