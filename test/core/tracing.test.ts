import '../helpers/no-unhandled.js';
import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { tracingChannel } from 'node:diagnostics_channel';
import { afterEach, describe, it } from 'node:test';
import { TaskGroup, sleep, spawn, type Task } from '../../src/index.js';
import { taskExtra } from '../../src/core/internal.js';
import { latch, tick } from '../helpers/core.js';

interface Message {
  task: Task;
  error?: unknown;
  result?: unknown;
}

const channel = tracingChannel<Message, Message>('tasktree:task');
let unsubscribe: (() => void) | undefined;
afterEach(() => {
  unsubscribe?.();
  unsubscribe = undefined;
});

/** Subscribes to every event of the channel; returns the log (`start fetch`, `error fetch Error: x`…). */
function record(): { log: string[]; messages: Set<Message> } {
  const log: string[] = [];
  const messages = new Set<Message>();
  const on = (event: string) => (message: Message) => {
    messages.add(message);
    const extra = event === 'error' ? ` ${String(message.error)}` : event.startsWith('async') && 'result' in message ? ` = ${String(message.result)}` : '';
    log.push(`${event} ${message.task.name} ${message.task.state}${extra}`);
  };
  const handlers = { start: on('start'), end: on('end'), asyncStart: on('asyncStart'), asyncEnd: on('asyncEnd'), error: on('error') };
  channel.subscribe(handlers);
  unsubscribe = () => channel.unsubscribe(handlers);
  return { log, messages };
}

describe("the 'tasktree:task' tracing channel", () => {
  it('publishes start and end around starting the function, asyncStart and asyncEnd once the task settled, with one message per task', async () => {
    const { log, messages } = record();
    const release = latch();
    await TaskGroup.run('g', async (group) => {
      group.spawn('parent', async () => {
        log.push('function runs');
        group.spawn('sibling', () => release.promise);
        await tick();
        log.push('function suspended');
        return 42;
      });
      await tick();
      await tick();
      release.release();
    });
    assert.deepEqual(log, [
      'start parent running',
      'function runs',
      'end parent running',
      'start sibling running',
      'end sibling running',
      'function suspended',
      'asyncStart parent fulfilled = 42',
      'asyncEnd parent fulfilled = 42',
      'asyncStart sibling fulfilled = undefined',
      'asyncEnd sibling fulfilled = undefined',
    ]);
    assert.equal(messages.size, 2, 'one message per task, from start to asyncEnd');
  });

  it('ends a task only after its children', async () => {
    const { log } = record();
    await TaskGroup.run('g', async (group) => {
      group.spawn('parent', () => {
        spawn('child', () => sleep(2));
      });
    });
    const ends = log.filter((l) => l.startsWith('asyncEnd')).map((l) => l.split(' ')[1]);
    assert.deepEqual(ends, ['child', 'parent']);
  });

  it('publishes error with the task’s error on rejection, then asyncStart and asyncEnd', async () => {
    const { log } = record();
    await assert.rejects(TaskGroup.run('g', async (group) => void group.spawn('fails', async () => Promise.reject(new Error('disk full')))));
    assert.deepEqual(log, ['start fails running', 'end fails running', 'error fails rejected Error: disk full', 'asyncStart fails rejected', 'asyncEnd fails rejected']);
  });

  it('publishes a synchronous throw once, as the task’s error when it settles', async () => {
    const { log } = record();
    await assert.rejects(
      TaskGroup.run('g', async (group) => {
        group.spawn('throws', () => {
          throw new Error('at once');
        });
      }),
    );
    assert.deepEqual(log, ['start throws running', 'end throws running', 'error throws rejected Error: at once', 'asyncStart throws rejected', 'asyncEnd throws rejected']);
  });

  it('treats a cancellation as no error — for a task that honours its signal and one that ignores it', async () => {
    const { log } = record();
    const ignore = latch();
    await assert.rejects(
      TaskGroup.run('g', async (group) => {
        group.spawn('honours', (task) => sleep(1e9, { signal: task.signal }));
        group.spawn('ignores', () => ignore.promise);
        await tick();
        group.cancel();
        setTimeout(() => ignore.release(), 1);
      }),
    );
    assert.deepEqual(
      log.filter((l) => !l.startsWith('start') && !l.startsWith('end')),
      ['asyncStart honours cancelled', 'asyncEnd honours cancelled', 'asyncStart ignores fulfilled = undefined', 'asyncEnd ignores fulfilled = undefined'],
    );
  });

  it('publishes nothing for a task cancelled before it started (its function never ran)', async () => {
    const { log } = record();
    await assert.rejects(
      TaskGroup.run('g', async (group) => {
        group.spawn('never', () => assert.fail('never runs'));
        group.cancel();
      }),
    );
    assert.deepEqual(log, []);
  });

  it('runs the function in the stores bound to start (how APM agents make their span active)', async () => {
    record();
    const store = new AsyncLocalStorage<string>();
    channel.start.bindStore(store as unknown as AsyncLocalStorage<Message>, (message: Message): never => `span of ${message.task.name}` as never);
    try {
      const seen: (string | undefined)[] = [];
      await TaskGroup.run('g', async (group) => {
        group.spawn('a', async () => {
          seen.push(store.getStore());
          await tick();
          seen.push(store.getStore());
        });
      });
      assert.deepEqual(seen, ['span of a', 'span of a']);
    } finally {
      channel.start.unbindStore(store as unknown as AsyncLocalStorage<Message>);
    }
  });

  it('builds nothing for a task when nobody subscribes', async () => {
    let seen: unknown = 'unset';
    await TaskGroup.run('g', async (group) => {
      const task = group.spawn('plain', () => undefined);
      await task;
      seen = taskExtra(task);
    });
    assert.equal(seen, undefined);
  });
});
