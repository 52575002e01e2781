import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TaskGroup, run, sleep, spawn, waitFor } from '../../src/index.js';
import { captureSnapshot } from '../../src/inspect/snapshot.js';

/** A promise and the function that resolves it. */
function latch(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('captureSnapshot', () => {
  it('lists every live task, parents first, with paths, parents and groups', async () => {
    const release = latch();
    await run(
      async () => {
        spawn('a', async () => {
          spawn('a1', () => release.promise);
          await release.promise;
        });
        await TaskGroup.run('batch', async (group) => {
          group.spawn('b', () => release.promise);
          await tick();
          const snapshot = captureSnapshot();
          assert.equal(snapshot.formatVersion, 1);
          assert.equal(snapshot.pid, process.pid);
          const rows = snapshot.tasks.map((t) => [t.path, t.group, t.namedGroup, t.parentId === null ? null : snapshot.tasks.find((p) => p.id === t.parentId)?.name]);
          assert.deepEqual(rows, [
            ['main', 'main', null, null],
            ['main › a', 'main', null, 'main'],
            ['main › a › a1', 'a', null, 'a'],
            ['main › batch › b', 'batch', 'batch', 'main'],
          ]);
          assert.ok(Object.isFrozen(snapshot) && Object.isFrozen(snapshot.tasks) && Object.isFrozen(snapshot.tasks[0]));
          release.open();
        });
      },
      { dumpSignal: false },
    );
  });

  it('records what each task waits on, and the awaited-by edges', async () => {
    const release = latch();
    await run(
      async () => {
        const db = spawn('db', () => waitFor(release.promise, 'db.query users'));
        const napper = spawn('napper', () => sleep(60_000));
        const web = spawn('web', async () => await db);
        spawn('both', async () => Promise.all([db, web]));
        spawn('joiner', () => TaskGroup.run('inner', (g) => void g.spawn('x', () => release.promise)));
        await tick();
        const snapshot = captureSnapshot();
        const byName = new Map(snapshot.tasks.map((t) => [t.name, t]));
        const id = (name: string): string => byName.get(name)?.id as string;
        assert.deepEqual(byName.get('db')?.waitingOn && { ...byName.get('db')?.waitingOn, forMs: 0 }, { kind: 'promise', label: 'db.query users', forMs: 0 });
        assert.equal(byName.get('napper')?.waitingOn?.kind, 'sleep');
        assert.deepEqual(byName.get('web')?.waitingOn?.kind === 'task' && byName.get('web')?.waitingOn, {
          kind: 'task',
          taskIds: [id('db')],
          forMs: (byName.get('web')?.waitingOn as { forMs: number }).forMs,
          exclusive: true,
        });
        const bothWait = byName.get('both')?.waitingOn;
        assert.ok(bothWait?.kind === 'task');
        assert.deepEqual([...bothWait.taskIds], [id('db'), id('web')]);
        assert.deepEqual([...(byName.get('db')?.awaitedBy ?? [])].sort(), [id('web'), id('both')].sort());
        const joining = byName.get('joiner')?.waitingOn;
        assert.equal(joining?.kind === 'group' && joining.group, 'inner');
        assert.deepEqual(joining?.kind === 'group' && joining.taskIds, [id('x')], 'a join lists the tasks it waits for');
        assert.ok((byName.get('main')?.ageMs ?? -1) >= 0);
        napper.cancel();
        release.open();
      },
      { dumpSignal: false },
    );
  });

  it('shows queued tasks and pending cancellations', async () => {
    const release = latch();
    await TaskGroup.run('pool', async (group) => {
      const stubborn = new TaskGroup('limited', { concurrency: 1 });
      stubborn.spawn('first', () => release.promise);
      stubborn.spawn('second', () => release.promise);
      const ignoring = group.spawn('ignores-cancel', () => release.promise);
      await tick();
      ignoring.cancel('stop');
      const tasks = captureSnapshot().tasks;
      const second = tasks.find((t) => t.name === 'second');
      assert.equal(second?.state, 'queued');
      assert.equal(second?.waitingOn?.kind, 'queue');
      const shown = tasks.find((t) => t.name === 'ignores-cancel');
      assert.equal(shown?.cancelled?.kind, 'explicit');
      assert.match(shown?.cancelled?.message ?? '', /stop/);
      release.open();
      await stubborn[Symbol.asyncDispose]();
    });
  });

  it('keeps a bounded history of finished tasks with outcomes', async () => {
    await TaskGroup.run('history', async (group) => {
      group.spawn('finishes', async () => 1);
      group.spawn('is-cancelled', () => sleep(60_000)).cancel();
    });
    await assert.rejects(
      TaskGroup.run('history-fail', (group) => {
        group.spawn('fails', async () => {
          throw new TypeError('bad row');
        });
      }),
    );
    const finished = captureSnapshot().finished;
    const last = (name: string) => finished.filter((f) => f.name === name).at(-1);
    assert.equal(last('finishes')?.outcome, 'fulfilled');
    assert.equal(last('is-cancelled')?.outcome, 'cancelled');
    assert.equal(last('is-cancelled')?.cancelled?.kind, 'explicit');
    assert.equal(last('fails')?.outcome, 'rejected');
    assert.equal(last('fails')?.error, 'TypeError: bad row');
    assert.ok((last('fails')?.durationMs ?? -1) >= 0);
  });

  it('leaves the history out when asked for the live tasks only, and says so for a finished option that is not a boolean', async () => {
    await TaskGroup.run('history', async (group) => {
      await group.spawn('done', async () => 1);
      const release = latch();
      const live = group.spawn('live', () => waitFor(release.promise, 'the latch'));
      await sleep(1);
      const whole = captureSnapshot();
      const liveOnly = captureSnapshot({ finished: false });
      assert.ok(whole.finished.some((task) => task.name === 'done'));
      assert.deepEqual(liveOnly.finished, []);
      assert.ok(Object.isFrozen(liveOnly.finished));
      assert.deepEqual(
        liveOnly.tasks.map((task) => task.id),
        whole.tasks.map((task) => task.id),
      );
      assert.ok(liveOnly.tasks.some((task) => task.id === live.id));
      assert.throws(() => captureSnapshot({ finished: 'no' as unknown as boolean }), {
        name: 'TypeError',
        message: 'captureSnapshot(options): expected options.finished to be a boolean, got no (string)',
      });
      release.open();
    });
  });

  it('gives durations in whole milliseconds, and points in time as epoch milliseconds: the time origin plus whole milliseconds', async () => {
    /** How far `ms` is from `performance.timeOrigin` plus a whole number (floating point rounds a little). */
    const offWhole = (ms: number): number => {
      const sinceOrigin = ms - performance.timeOrigin;
      return Math.abs(sinceOrigin - Math.round(sinceOrigin));
    };
    const release = latch();
    await TaskGroup.run('times', async (group) => {
      await group.spawn('quick', async () => {
        await sleep(2);
      });
      const live = group.spawn('waiting', () => waitFor(release.promise, 'the latch'));
      await sleep(3);
      const snapshot = captureSnapshot();
      const info = snapshot.tasks.find((task) => task.id === live.id);
      const quick = snapshot.finished.filter((task) => task.name === 'quick').at(-1);
      assert.ok(info !== undefined && info.waitingOn !== null && quick !== undefined);
      for (const duration of [info.ageMs, info.waitingOn.forMs, quick.durationMs]) assert.ok(Number.isInteger(duration), `${duration} is whole`);
      for (const time of [snapshot.capturedAt, info.createdAt, quick.createdAt, quick.settledAt]) assert.ok(offWhole(time) < 1e-3, `${time} is the time origin plus whole milliseconds`);
      assert.equal(live.createdAt, info.createdAt);
      assert.ok(Math.abs(snapshot.capturedAt - info.createdAt - info.ageMs) < 1e-3, 'the age is the difference of the two times');
      release.open();
    });
  });

  it('shows attributes given at spawn', async () => {
    await TaskGroup.run(async (group) => {
      group.spawn('tagged', () => tick(), { attributes: { route: '/users', attempt: 2 } });
      await tick();
      const tagged = captureSnapshot().tasks.find((t) => t.name === 'tagged');
      assert.deepEqual(tagged?.attributes, { route: '/users', attempt: 2 });
    });
  });
});
