import '../helpers/no-unhandled.js';
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { TaskGroup, run, setHistoryLimit, sleep, spawn } from '../../src/index.js';
import { hooks } from '../../src/core/internal.js';
import { isRecording, readRecording, startRecording, stopRecording } from '../../src/inspect/recorder.js';
import type { RecordedEvent, Recording } from '../../src/inspect/recording-schema.js';
import { latch, tick } from '../helpers/core.js';

afterEach(() => {
  stopRecording();
});

/** `type name` per event (`wait main`), with what it is about where that says something. */
function steps(recording: Recording, names?: readonly string[]): string[] {
  const byId = new Map(recording.tasks.map((t) => [t.id, t.name]));
  const out: string[] = [];
  for (const event of recording.events) {
    const name = byId.get(event.id) ?? '?';
    if (names !== undefined && !names.includes(name)) continue;
    out.push(`${event.type} ${name}${detail(event, byId)}`);
  }
  return out;
}

function detail(event: RecordedEvent, names: ReadonlyMap<string, string>): string {
  switch (event.type) {
    case 'spawn':
      return event.queued ? ' (queued)' : '';
    case 'wait': {
      const on = event.on;
      if (on.kind === 'task') return ` on ${on.taskIds.map((id) => names.get(id)).join('+')}${on.exclusive ? '' : ' (open)'}`;
      if (on.kind === 'group') return ` on group ${on.group}`;
      if (on.kind === 'sleep') return ` on sleep ${on.ms}`;
      return ` on ${on.label}`;
    }
    case 'cancel':
      return `: ${event.cancelled.message}`;
    case 'settle':
      return `: ${event.outcome}${event.error === null ? '' : ` (${event.error})`}`;
    default:
      return '';
  }
}

describe('the flight recorder', () => {
  it('is off by default, and costs the core nothing then: no hook is installed', () => {
    assert.equal(isRecording(), false);
    assert.equal(hooks.record, undefined);
    assert.throws(() => readRecording(), /readRecording\(\): the flight recorder is off; switch it on with startRecording\(\) first/);
    assert.equal(stopRecording(), null);
  });

  it('records a spawn, start, waits, a cancellation with who asked, and each settle with its outcome, in order', async () => {
    startRecording();
    await run(async () => {
      const fetch = spawn('fetch', () => sleep(5));
      const sleeper = spawn('sleeper', (task) => sleep(60_000, { signal: task.signal }));
      await fetch;
      sleeper.cancel('enough');
      await sleeper.result().catch(() => {});
    });
    const recording = readRecording();
    assert.equal(recording.recordingVersion, 1);
    assert.deepEqual(steps(recording), [
      'spawn main',
      'start main',
      'spawn fetch',
      'spawn sleeper',
      'wait main on fetch',
      'start fetch',
      'wait fetch on sleep 5',
      'start sleeper',
      'wait sleeper on sleep 60000',
      'resume fetch',
      'settle fetch: fulfilled',
      'resume main',
      'cancel sleeper: cancelled explicitly: enough',
      'resume sleeper',
      'wait main on sleeper (open)',
      'settle sleeper: cancelled',
      'settle main: fulfilled',
    ]);
    const main = recording.tasks.find((t) => t.name === 'main');
    const cancel = recording.events.find((e) => e.type === 'cancel');
    assert.equal(cancel?.type === 'cancel' && cancel.cancelled.by?.source, 'task');
    assert.equal(cancel?.type === 'cancel' && cancel.cancelled.by?.task?.id, main?.id);
    const settled = recording.events.filter((e) => e.type === 'settle' && e.id !== main?.id).at(-1);
    assert.equal(settled?.type === 'settle' && settled.cancelled?.by?.task?.id, main?.id);
  });

  it('records a failure, and the cancellation of its siblings with the failed task as who asked', async () => {
    startRecording();
    await TaskGroup.run('jobs', async (group) => {
      group.spawn('fail', async () => {
        throw new Error('boom');
      });
      group.spawn('sleeper', (task) => sleep(60_000, { signal: task.signal }));
    }).catch(() => {});
    const recording = readRecording();
    const failed = recording.tasks.find((t) => t.name === 'fail');
    assert.deepEqual(steps(recording), [
      'spawn fail',
      'spawn sleeper',
      'start fail',
      'start sleeper',
      'wait sleeper on sleep 60000',
      'settle fail: rejected (Error: boom)',
      `cancel sleeper: sibling 'fail' (${failed?.id}) failed: Error: boom`,
      'resume sleeper',
      'settle sleeper: cancelled',
    ]);
    const cancel = recording.events.find((e) => e.type === 'cancel');
    assert.deepEqual(cancel?.type === 'cancel' && cancel.cancelled.by?.task, { id: failed?.id, path: 'jobs › fail' });
  });

  it('records a daemon like any task: its outcome, and queued when it was alive and queued at the start', async () => {
    const gate = latch();
    await TaskGroup.run(
      'jobs',
      async (group) => {
        group.spawn('busy', () => gate.promise);
        group.spawn('watcher', () => undefined, { daemon: true });
        startRecording();
        gate.release();
      },
      { concurrency: 1 },
    );
    await TaskGroup.run('more', async (group) => {
      const broken = group.spawn('broken', async () => {
        throw new Error('boom');
      }, { daemon: true });
      await broken.result().catch(() => {});
    }).catch(() => {});
    const recording = readRecording();
    const watcher = recording.tasks.find((t) => t.name === 'watcher');
    assert.equal(recording.initial.find((t) => t.id === watcher?.id)?.state, 'queued');
    assert.ok(steps(recording, ['broken']).includes('settle broken: rejected (Error: boom)'), steps(recording, ['broken']).join('\n'));
  });

  it('names every task with its path, parent and creation time, so a recording alone can be replayed', async () => {
    startRecording();
    await TaskGroup.run('jobs', async (group) => {
      const parent = group.spawn('parent', async () => {
        await spawn('child', () => sleep(1));
      });
      await parent;
    });
    const { tasks, events } = readRecording();
    const parent = tasks.find((t) => t.name === 'parent');
    const child = tasks.find((t) => t.name === 'child');
    assert.equal(parent?.path, 'jobs › parent');
    assert.equal(parent?.namedGroup, 'jobs');
    assert.equal(child?.path, 'jobs › parent › child');
    assert.equal(child?.parentId, parent?.id);
    const spawned = events.find((e) => e.type === 'spawn' && e.id === child?.id);
    assert.equal(spawned?.at, child?.createdAt);
    for (let i = 1; i < events.length; i++) {
      assert.ok((events[i] as RecordedEvent).at >= (events[i - 1] as RecordedEvent).at, 'times never go backwards');
      assert.equal((events[i] as RecordedEvent).seq, (events[i - 1] as RecordedEvent).seq + 1);
    }
  });

  it('records the wait of a task whose function ended on its children (a join)', async () => {
    startRecording();
    await run(async () => {
      spawn('child', () => sleep(2));
    });
    assert.deepEqual(steps(readRecording(), ['main']), ['spawn main', 'start main', 'wait main on group main', 'resume main', 'settle main: fulfilled']);
  });

  it('records a wait on a waitFor label, and a queued spawn that starts when a slot frees', async () => {
    startRecording();
    const gate = latch();
    await TaskGroup.run('pool', async (group) => {
      group.spawn('first', (task) => task.waitFor(gate.promise, 'db.query'));
      group.spawn('second', async () => {});
      await tick();
      gate.release();
    }, { concurrency: 1 });
    const recording = readRecording();
    assert.deepEqual(steps(recording, ['first', 'second']), [
      'spawn first',
      'spawn second (queued)',
      'start first',
      'wait first on db.query',
      'resume first',
      'settle first: fulfilled',
      'start second',
      'settle second: fulfilled',
    ]);
  });

  it('records a Promise.all over tasks as one wait on all of them', async () => {
    startRecording();
    await run(async () => {
      await Promise.all([spawn('a', async () => {}), spawn('b', async () => {}), spawn('c', async () => {})]);
    });
    assert.deepEqual(
      steps(readRecording(), ['main']).filter((s) => s.startsWith('wait')),
      ['wait main on a+b+c'],
    );
  });

  it('says what the tasks alive when it began were doing then', async () => {
    const gate = latch();
    await run(async () => {
      const waiter = spawn('waiter', (task) => task.waitFor(gate.promise, 'gate'));
      await tick();
      startRecording();
      gate.release();
      await waiter;
    });
    const recording = readRecording();
    const waiter = recording.tasks.find((t) => t.name === 'waiter');
    const initial = recording.initial.find((t) => t.id === waiter?.id);
    assert.deepEqual(initial && { state: initial.state, on: initial.waitingOn && { ...initial.waitingOn, since: 0 } }, {
      state: 'running',
      on: { kind: 'promise', label: 'gate', since: 0 },
    });
    assert.deepEqual(steps(recording, ['waiter']), ['resume waiter', 'settle waiter: fulfilled']);
  });
});

describe('the flight recorder’s ring', () => {
  async function spawnMany(n: number): Promise<void> {
    await TaskGroup.run('many', async (group) => {
      for (let i = 0; i < n; i++) group.spawn(`t${i}`, () => undefined);
    });
  }

  it('is bounded: it keeps the latest `capacity` events, numbered on, and says how many it dropped', async () => {
    startRecording({ capacity: 16 });
    await spawnMany(20); // 3 events each
    const recording = readRecording();
    assert.equal(recording.events.length, 16);
    assert.equal(recording.recorded, 60);
    assert.equal(recording.dropped, 44);
    assert.deepEqual(
      recording.events.map((e) => e.seq),
      Array.from({ length: 16 }, (_, i) => 44 + i),
    );
    // The newest events: the last tasks' starts and settles, in order.
    assert.deepEqual(steps(recording).slice(-2), ['start t19', 'settle t19: fulfilled']);
    assert.equal(recording.initial.length, 0, 'the state at the start no longer joins up with the events kept');
    assert.equal(recording.completeSince, recording.events[0]?.at);
  });

  it('wraps in order, over and over', async () => {
    startRecording({ capacity: 17 });
    for (let round = 0; round < 5; round++) {
      await spawnMany(7);
      const { events } = readRecording();
      const seqs = events.map((e) => e.seq);
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
      assert.equal(seqs.at(-1), (round + 1) * 21 - 1);
      assert.equal(events.length, Math.min(17, (round + 1) * 21));
    }
  });

  it('keeps the newest events when its capacity changes while on', async () => {
    startRecording({ capacity: 100 });
    await spawnMany(10);
    startRecording({ capacity: 16 });
    const shrunk = readRecording();
    assert.equal(shrunk.events.length, 16);
    assert.equal(shrunk.events.at(-1)?.seq, 29);
    await spawnMany(1);
    assert.deepEqual(readRecording().events.map((e) => e.seq).slice(-4), [29, 30, 31, 32]);
  });

  it('is released when switched off: the hook goes, stopRecording returns what it held', async () => {
    startRecording({ capacity: 32 });
    await spawnMany(2);
    const last = stopRecording();
    assert.equal(last?.reason, 'stop');
    assert.equal(last?.events.length, 6);
    assert.equal(hooks.record, undefined);
    assert.equal(isRecording(), false);
    await spawnMany(2);
    startRecording({ capacity: 32 });
    assert.equal(readRecording().events.length, 0, 'a new start begins afresh');
  });

  it('holds no task: a settled task, and its value, can be collected while the ring still names it', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    setHistoryLimit(0); // the registry's own history of finished tasks holds them
    try {
      startRecording();
      let task: WeakRef<object> | undefined;
      let value: WeakRef<object> | undefined;
      await TaskGroup.run('jobs', async (group) => {
        const t = group.spawn('big', async () => {
          const big = { payload: new Array(1000).fill(1) };
          value = new WeakRef(big);
          return big;
        });
        task = new WeakRef(t);
        await t;
      });
      for (let i = 0; i < 3 && (task?.deref() !== undefined || value?.deref() !== undefined); i++) {
        await tick();
        gc();
      }
      assert.equal(task?.deref(), undefined, 'the task was collected');
      assert.equal(value?.deref(), undefined, 'its value was collected');
      assert.deepEqual(steps(readRecording(), ['big']), ['spawn big', 'start big', 'settle big: fulfilled']);
      assert.equal(readRecording().tasks.find((t) => t.name === 'big')?.path, 'jobs › big');
    } finally {
      setHistoryLimit(1000);
    }
  });

  it('refuses a capacity that is not an integer from 16 on', () => {
    for (const capacity of [0, 15, 1.5, -1, Number.NaN, '100' as unknown as number]) {
      assert.throws(() => startRecording({ capacity }), { name: 'RangeError', message: /startRecording\(options\): expected capacity to be an integer from 16 to 10000000, got / });
    }
    assert.equal(isRecording(), false);
  });
});
