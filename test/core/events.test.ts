import '../helpers/no-unhandled.js';
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, describe, it } from 'node:test';
import { CancelledError, TaskGroup, sleep, taskEvents, type Task } from '../../src/index.js';
import { rejection, tick } from '../helpers/core.js';

afterEach(() => {
  taskEvents.removeAllListeners();
});

describe('taskEvents', () => {
  it('fires spawn, start, cancel and settle with the task', async () => {
    const log: string[] = [];
    const seen = new Set<Task>();
    for (const event of ['spawn', 'start', 'settle'] as const) {
      taskEvents.on(event, (task) => {
        seen.add(task);
        log.push(`${event} ${task.name} ${task.state}`);
      });
    }
    let cancelError: CancelledError | undefined;
    taskEvents.on('cancel', (task, error) => {
      cancelError = error;
      log.push(`cancel ${task.name}`);
    });
    let t!: Task;
    await rejection(
      TaskGroup.run('g', async (g) => {
        t = g.spawn('worker', () => sleep(1e9));
        await tick();
        t.cancel('x');
      }),
    ).catch(() => undefined);
    assert.deepEqual(log, ['spawn worker running', 'start worker running', 'cancel worker', 'settle worker cancelled']);
    assert.deepEqual([...seen], [t]);
    assert.equal(cancelError, t.cancellation);
  });

  it('fires only while subscribed', async () => {
    const log: string[] = [];
    await TaskGroup.run('g', (g) => void g.spawn('before', () => 1));
    const listener = (task: Task): void => void log.push(task.name);
    taskEvents.on('settle', listener);
    await TaskGroup.run('g', (g) => void g.spawn('during', () => 1));
    taskEvents.off('settle', listener);
    await TaskGroup.run('g', (g) => void g.spawn('after', () => 1));
    assert.deepEqual(log, ['during']);
    assert.equal(taskEvents.eventNames().length, 0);
  });

  it('calls a once listener once', async () => {
    const log: string[] = [];
    taskEvents.once('spawn', (task) => void log.push(task.name));
    await TaskGroup.run('g', (g) => {
      g.spawn('a', () => 1);
      g.spawn('b', () => 1);
    });
    assert.deepEqual(log, ['a']);
    assert.equal(taskEvents.listenerCount('spawn'), 0);
  });

  it('removes a listener that throws, warns once with TASKTREE_LISTENER_THREW, and carries on', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => void warnings.push(w);
    process.on('warning', onWarning);
    try {
      let calls = 0;
      const others: string[] = [];
      taskEvents.on('spawn', () => {
        calls++;
        throw new Error('listener bug');
      });
      taskEvents.on('spawn', (task) => void others.push(task.name));
      const value = await TaskGroup.run('g', async (g) => {
        const a = g.spawn('a', () => 1);
        const b = g.spawn('b', () => 2);
        return (await a) + (await b);
      });
      assert.equal(value, 3);
      assert.equal(calls, 1);
      assert.deepEqual(others, ['a', 'b']);
      await tick();
      assert.equal(warnings.length, 1);
      assert.equal((warnings[0] as Error & { code?: string }).code, 'TASKTREE_LISTENER_THREW');
      assert.match(warnings[0]!.message, /a taskEvents 'spawn' listener threw and was removed: Error: listener bug/);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('publishes { task } (and error for cancel) on the tasktree:* diagnostics channels', async () => {
    const messages: Record<string, { task: Task; error?: unknown }[]> = { spawn: [], start: [], settle: [], cancel: [] };
    const handlers = Object.fromEntries(
      Object.keys(messages).map((event) => [event, (message: unknown) => void messages[event]!.push(message as { task: Task })]),
    );
    for (const [event, fn] of Object.entries(handlers)) subscribe(`tasktree:${event}`, fn);
    let t!: Task;
    try {
      await TaskGroup.run('g', async (g) => {
        t = g.spawn('w', () => sleep(1e9));
        await tick();
        t.cancel();
      }).catch(() => undefined);
    } finally {
      for (const [event, fn] of Object.entries(handlers)) unsubscribe(`tasktree:${event}`, fn);
    }
    assert.deepEqual(messages['spawn'], [{ task: t }]);
    assert.deepEqual(messages['start'], [{ task: t }]);
    assert.deepEqual(messages['settle'], [{ task: t }]);
    assert.deepEqual(messages['cancel'], [{ task: t, error: t.cancellation }]);
    // Unsubscribed: nothing more arrives.
    await TaskGroup.run('g', (g) => void g.spawn(() => 1));
    assert.equal(messages['spawn']!.length, 1);
  });
});
