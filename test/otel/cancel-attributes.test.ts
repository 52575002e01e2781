import '../helpers/no-unhandled.js';
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { TaskGroup, run, sleep, spawn, withTimeout, type Task } from '../../src/index.js';
import { cancelOnBehalf } from '../../src/core/internal.js';
import { enableDebug, disableDebug } from '../../src/debug/index.js';
import { instrumentTasks } from '../../src/otel/index.js';
import { latch, tick } from '../helpers/core.js';

const exporter = new InMemorySpanExporter();
new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).register();

let uninstall: (() => void) | undefined;
afterEach(() => {
  uninstall?.();
  uninstall = undefined;
  exporter.reset();
});

/** The attributes of the `tasktree.cancelled` event of the span named `name`. */
function cancelEvent(name: string): Record<string, unknown> {
  const span: ReadableSpan | undefined = exporter.getFinishedSpans().find((s) => s.name === name);
  assert.ok(span !== undefined, `a span named '${name}'`);
  const event = span.events.find((e) => e.name === 'tasktree.cancelled');
  assert.ok(event !== undefined, `'${name}' has a tasktree.cancelled event`);
  return { ...event.attributes };
}

describe('the tasktree.cancelled event says who cancelled', () => {
  it('names the task that called cancel(), for a task that honours its signal and one that ignores it', async () => {
    uninstall = instrumentTasks();
    const release = latch();
    let boss!: Task;
    await run(async () => {
      const honours = spawn('honours', (task) => sleep(60_000, { signal: task.signal }));
      const ignores = spawn('ignores', () => release.promise);
      boss = spawn('boss', () => {
        honours.cancel('enough');
        ignores.cancel();
        setTimeout(() => release.release(), 1);
      });
    }, { dumpSignal: false });
    for (const name of ['honours', 'ignores']) {
      const event = cancelEvent(name);
      assert.equal(event['tasktree.cancel.source'], 'task', name);
      assert.equal(event['tasktree.cancel.by'], `main › boss [${boss.id}]`, name);
      assert.equal(event['tasktree.cancel.by_task_id'], boss.id, name);
      assert.equal(event['tasktree.cancel.site'], undefined, `${name}: no site outside debug mode`);
    }
    assert.equal(cancelEvent('honours')['tasktree.cancel.reason'], 'cancelled explicitly: enough');
  });

  it('names tasktree cancel with its reason, and code outside any task', async () => {
    uninstall = instrumentTasks();
    const group = new TaskGroup('jobs');
    const fromCli = group.spawn('from-cli', (task) => sleep(60_000, { signal: task.signal }));
    const fromOutside = group.spawn('from-outside', (task) => sleep(60_000, { signal: task.signal }));
    await tick();
    cancelOnBehalf(fromCli, 'cli', 'stuck', 'stuck');
    fromOutside.cancel();
    await group[Symbol.asyncDispose]();
    const cli = cancelEvent('from-cli');
    assert.equal(cli['tasktree.cancel.source'], 'cli');
    assert.equal(cli['tasktree.cancel.by'], 'tasktree cancel: "stuck"');
    assert.equal(cli['tasktree.cancel.by_task_id'], undefined);
    const outside = cancelEvent('from-outside');
    assert.equal(outside['tasktree.cancel.source'], 'outside');
    assert.equal(outside['tasktree.cancel.by'], 'code outside any task');
  });

  it('names the timeout and the task its group belongs to, for the tasks under it too', async () => {
    uninstall = instrumentTasks();
    let worker!: Task;
    await run(async () => {
      worker = spawn('worker', () =>
        withTimeout(5, async () => {
          await spawn('slow', async () => {
            await spawn('slower', () => sleep(60_000));
          });
        }).catch(() => undefined),
      );
    }, { dumpSignal: false });
    for (const name of ['slow', 'slower']) {
      const event = cancelEvent(name);
      assert.equal(event['tasktree.cancel.source'], 'timeout', name);
      assert.equal(event['tasktree.cancel.by'], `the 5 ms timeout of 'withTimeout(5)' (in main › worker [${worker.id}])`, name);
      assert.equal(event['tasktree.cancel.by_task_id'], worker.id, name);
    }
    assert.equal(cancelEvent('slower')['tasktree.cancel.kind'], 'parent-cancelled');
  });

  it('gives where cancel() was called in debug mode', async () => {
    enableDebug({ warnings: false });
    try {
      uninstall = instrumentTasks();
      await run(async () => {
        const sleeper = spawn('sleeper', (task) => sleep(60_000, { signal: task.signal }));
        spawn('canceller', function cancelsTheSleeper() {
          sleeper.cancel();
        });
      }, { dumpSignal: false });
    } finally {
      disableDebug();
    }
    const site = cancelEvent('sleeper')['tasktree.cancel.site'];
    assert.ok(Array.isArray(site) && site.length > 0, `a site (${String(site)})`);
    assert.match(String(site[0]), /cancelsTheSleeper .*cancel-attributes\.test\.[jt]s:\d+:\d+/);
  });
});
