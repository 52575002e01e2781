import '../helpers/no-unhandled.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TaskGroup } from '../../src/index.js';

describe('the start queue', () => {
  it('starts a burst of tasks in spawn order, none of them synchronously', async () => {
    const started: number[] = [];
    await TaskGroup.run('burst', (g) => {
      for (let i = 0; i < 5_000; i++) g.spawn(`t${i}`, () => void started.push(i));
      assert.equal(started.length, 0);
    });
    assert.deepEqual(started, Array.from({ length: 5_000 }, (_, i) => i));
  });

  it('lets the first tasks of a burst of 5,000 resume before the last ones start (no 5,000 started functions alive at once)', async () => {
    const events: string[] = [];
    await TaskGroup.run('burst', (g) => {
      for (let i = 0; i < 5_000; i++) {
        g.spawn(`t${i}`, async () => {
          if (i === 0 || i === 4_999) events.push(`start ${i}`);
          await null;
          if (i === 0) events.push('resume 0');
        });
      }
    });
    assert.deepEqual(events, ['start 0', 'resume 0', 'start 4999']);
  });

  it('starts tasks spawned while a burst is starting after the burst, in order', async () => {
    const started: string[] = [];
    await TaskGroup.run('burst', (g) => {
      for (let i = 0; i < 3_000; i++) {
        g.spawn(`t${i}`, () => {
          started.push(`t${i}`);
          if (i === 0) g.spawn('late', () => void started.push('late'));
        });
      }
    });
    assert.equal(started.length, 3_001);
    assert.equal(started[0], 't0');
    assert.equal(started[2_999], 't2999');
    assert.equal(started[3_000], 'late');
  });
});
