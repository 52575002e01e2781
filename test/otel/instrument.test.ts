import '../helpers/no-unhandled.js';
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { ProxyTracerProvider, ROOT_CONTEXT, SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { CancelledError, TaskGroup, run, sleep, spawn, type Task } from '../../src/index.js';
import { captureSnapshot } from '../../src/inspect/index.js';
import { instrumentTasks } from '../../src/otel/index.js';
import { latch, tick } from '../helpers/core.js';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
// The global provider, context manager (AsyncLocalStorage) and W3C propagator.
provider.register();

let uninstall: (() => void) | undefined;
function install(options?: Parameters<typeof instrumentTasks>[0]): void {
  uninstall = instrumentTasks(options);
}
afterEach(() => {
  uninstall?.();
  uninstall = undefined;
  exporter.reset();
});

/** The ended spans, by name (each name once in these tests unless said otherwise). */
function spans(): Map<string, ReadableSpan> {
  const out = new Map<string, ReadableSpan>();
  for (const span of exporter.getFinishedSpans()) {
    assert.ok(!out.has(span.name), `one span named '${span.name}'`);
    out.set(span.name, span);
  }
  return out;
}
function get(map: Map<string, ReadableSpan>, name: string): ReadableSpan {
  const span = map.get(name);
  assert.ok(span !== undefined, `a span named '${name}' (have: ${[...map.keys()].join(', ')})`);
  return span;
}
function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}
function idOf(span: ReadableSpan): string {
  return span.spanContext().spanId;
}

describe('instrumentTasks', () => {
  it('makes every task a span named after it, of kind INTERNAL, under the span of the task it was spawned in', async () => {
    install();
    await run(async function main() {
      await spawn('fetch-user', async () => {
        await spawn('db-query', () => sleep(1));
      });
    }, { dumpSignal: false });
    const s = spans();
    const main = get(s, 'main');
    assert.equal(main.kind, SpanKind.INTERNAL);
    assert.equal(parentOf(main), undefined);
    assert.equal(parentOf(get(s, 'fetch-user')), idOf(main));
    assert.equal(parentOf(get(s, 'db-query')), idOf(get(s, 'fetch-user')));
    assert.equal(new Set([...s.values()].map((span) => span.spanContext().traceId)).size, 1);
  });

  it('nests a root task under the span active where it was spawned', async () => {
    install();
    const tracer = trace.getTracer('test');
    await tracer.startActiveSpan('GET /users', async (server) => {
      await TaskGroup.run('request', async (group) => {
        group.spawn('handle', () => undefined);
      });
      server.end();
    });
    const s = spans();
    assert.equal(parentOf(get(s, 'handle')), idOf(get(s, 'GET /users')));
  });

  it('nests a task spawned into a long-lived task’s group under the span active there (a request under its HTTP server span)', async () => {
    install();
    const tracer = trace.getTracer('test');
    await run(async function main() {
      await TaskGroup.run('requests', async (requests) => {
        // As an HTTP server instrumentation does: the request callback runs with the server span active.
        await tracer.startActiveSpan('GET /users', async (server) => {
          await requests.spawn('request#1', async () => {
            await spawn('db-query', () => undefined);
          });
          server.end();
        });
      });
    }, { dumpSignal: false });
    const s = spans();
    assert.equal(parentOf(get(s, 'request#1')), idOf(get(s, 'GET /users')));
    assert.equal(parentOf(get(s, 'GET /users')), idOf(get(s, 'main')));
    assert.equal(parentOf(get(s, 'db-query')), idOf(get(s, 'request#1')));
  });

  it('nests a task spawned where no span is active under its parent task’s span', async () => {
    install();
    await TaskGroup.run('g', async (group) => {
      group.spawn('parent', async () => {
        // A plain callback with no context: the task still hangs under its parent task.
        await context.with(ROOT_CONTEXT, () => spawn('child', () => undefined));
      });
    });
    const s = spans();
    assert.equal(parentOf(get(s, 'child')), idOf(get(s, 'parent')));
  });

  it('nests a task spawned inside a span made in its parent’s function under that span', async () => {
    install();
    const tracer = trace.getTracer('test');
    await TaskGroup.run('g', async (group) => {
      group.spawn('parent', () =>
        tracer.startActiveSpan('batch', async (batch) => {
          await spawn('item', () => undefined);
          batch.end();
        }),
      );
    });
    const s = spans();
    assert.equal(parentOf(get(s, 'item')), idOf(get(s, 'batch')));
    assert.equal(parentOf(get(s, 'batch')), idOf(get(s, 'parent')));
  });

  it('runs the task’s function with its span active, so spans made inside it nest under the task', async () => {
    install();
    const tracer = trace.getTracer('test');
    let activeInside: string | undefined;
    await TaskGroup.run('g', async (group) => {
      group.spawn('worker', async () => {
        activeInside = trace.getActiveSpan()?.spanContext().spanId;
        await sleep(1);
        // After an await too: the context follows the function.
        tracer.startSpan('SELECT users').end();
      });
    });
    const s = spans();
    const worker = get(s, 'worker');
    assert.equal(activeInside, idOf(worker));
    assert.equal(parentOf(get(s, 'SELECT users')), idOf(worker));
  });

  it('nests a span made after the task ended, in a callback it left behind, under the task’s span', async () => {
    install();
    const tracer = trace.getTracer('test');
    const made = latch();
    await TaskGroup.run('g', async (group) => {
      await group.spawn('leaves-a-timer', async () => {
        setTimeout(() => {
          tracer.startSpan('late write').end();
          made.release();
        }, 5);
      });
    });
    await made.promise;
    const s = spans();
    const task = get(s, 'leaves-a-timer');
    assert.equal(parentOf(get(s, 'late write')), idOf(task));
    assert.equal(get(s, 'late write').spanContext().traceId, task.spanContext().traceId);
  });

  it('records the task’s id, path, group, daemon flag and its own attributes', async () => {
    install();
    let id = '';
    await TaskGroup.run('requests', async (group) => {
      const t = group.spawn('request#42', async () => {
        spawn('keepalive', () => sleep(1e9), { daemon: true });
      }, { attributes: { route: '/users', attempt: 2 } });
      id = t.id;
    });
    const s = spans();
    assert.deepEqual(get(s, 'request#42').attributes, {
      route: '/users',
      attempt: 2,
      'tasktree.task.id': id,
      'tasktree.task.path': 'requests › request#42',
      'tasktree.group.name': 'requests',
      'tasktree.task.daemon': false,
    });
    const keepalive = get(s, 'keepalive');
    assert.equal(keepalive.attributes['tasktree.task.path'], 'requests › request#42 › keepalive');
    assert.equal(keepalive.attributes['tasktree.task.daemon'], true);
    assert.equal(keepalive.attributes['tasktree.group.name'], 'request#42');
  });

  it('records the path with the named groups a task was spawned into, as task.path has it', async () => {
    install();
    const paths = new Map<string, string>();
    await run(async function main() {
      await TaskGroup.run('http', async (http) => {
        const request = http.spawn('request#7', async () => {
          const lookup = spawn('lookup', () => undefined);
          paths.set('lookup', lookup.path);
          await lookup;
        });
        paths.set('request#7', request.path);
      });
    }, { dumpSignal: false });
    const s = spans();
    assert.equal(paths.get('request#7'), 'main › http › request#7');
    for (const name of ['request#7', 'lookup']) assert.equal(get(s, name).attributes['tasktree.task.path'], paths.get(name), name);
  });

  it('records the wait for a concurrency slot as tasktree.task.queued_ms, unless recordQueuedTime is false', async () => {
    for (const recordQueuedTime of [true, false]) {
      install({ recordQueuedTime });
      const first = latch();
      await TaskGroup.run(
        'pool',
        async (group) => {
          group.spawn('first', () => first.promise);
          group.spawn('second', () => undefined);
          await sleep(5);
          first.release();
        },
        { concurrency: 1 },
      );
      const s = spans();
      if (recordQueuedTime) {
        const queued = get(s, 'second').attributes['tasktree.task.queued_ms'];
        assert.equal(typeof queued, 'number');
        assert.ok((queued as number) >= 4, `waited for the slot (${String(queued)} ms)`);
      } else assert.equal(get(s, 'second').attributes['tasktree.task.queued_ms'], undefined);
      uninstall?.();
      exporter.reset();
    }
    // Not recorded where there is no limit.
    install();
    await TaskGroup.run('free', async (group) => void group.spawn('any', () => undefined));
    assert.equal(get(spans(), 'any').attributes['tasktree.task.queued_ms'], undefined);
  });

  it('marks a rejected task ERROR and records its exception', async () => {
    install();
    await assert.rejects(
      TaskGroup.run('g', async (group) => {
        group.spawn('fails', async () => {
          throw new Error('disk full');
        });
      }),
    );
    const fails = get(spans(), 'fails');
    assert.equal(fails.status.code, SpanStatusCode.ERROR);
    assert.equal(fails.status.message, 'Error: disk full');
    assert.equal(fails.attributes['tasktree.task.outcome'], 'rejected');
    const exception = fails.events.find((e) => e.name === 'exception');
    assert.equal(exception?.attributes?.['exception.message'], 'disk full');
    assert.equal(exception?.attributes?.['exception.type'], 'Error');
  });

  it('records a thrown non-Error as the exception’s message', async () => {
    install();
    await assert.rejects(TaskGroup.run('g', async (group) => void group.spawn('throws-string', () => Promise.reject('nope'))));
    const span = get(spans(), 'throws-string');
    assert.equal(span.status.code, SpanStatusCode.ERROR);
    assert.equal(span.events.find((e) => e.name === 'exception')?.attributes?.['exception.message'], 'nope');
  });

  it('treats cancellation as no error: an event with its reason, and the outcome — for a task that honours its signal and one that ignores it', async () => {
    install();
    const release = latch();
    await assert.rejects(
      TaskGroup.run('g', async (group) => {
        group.spawn('honours', (task) => sleep(1e9, { signal: task.signal }));
        group.spawn('ignores', () => release.promise);
        group.spawn('fails', async () => {
          await tick();
          setTimeout(() => release.release(), 5);
          throw new Error('boom');
        });
      }),
    );
    const s = spans();
    const fails = get(s, 'fails');
    for (const name of ['honours', 'ignores']) {
      const span = get(s, name);
      assert.equal(span.status.code, SpanStatusCode.UNSET, name);
      const event = span.events.find((e) => e.name === 'tasktree.cancelled');
      assert.equal(event?.attributes?.['tasktree.cancel.kind'], 'sibling-failed', name);
      assert.match(String(event?.attributes?.['tasktree.cancel.reason']), /sibling 'fails' .* failed: Error: boom/, name);
      assert.equal(event?.attributes?.['tasktree.cancel.task_id'], fails.attributes['tasktree.task.id'], name);
    }
    assert.equal(get(s, 'honours').attributes['tasktree.task.outcome'], 'cancelled');
    // It kept its value: the work did happen (the cancellation event still says it was asked to
    // stop), and a fulfilled task's span has no outcome.
    assert.equal(get(s, 'ignores').attributes['tasktree.task.outcome'], undefined);
    // Span times are Date.now()-anchored (whole milliseconds): the order spans ended in is the exporter's.
    const order = exporter.getFinishedSpans().map((span) => span.name);
    assert.ok(order.indexOf('fails') < order.indexOf('ignores'), order.join(', '));
  });

  it('ends every span exactly once, after its children', async () => {
    install();
    const ended = new Map<string, number>();
    const counting = new NodeTracerProvider({
      spanProcessors: [
        new SimpleSpanProcessor(exporter),
        {
          onStart() {},
          onEnd(span) {
            ended.set(span.name, (ended.get(span.name) ?? 0) + 1);
          },
          forceFlush: () => Promise.resolve(),
          shutdown: () => Promise.resolve(),
        },
      ],
    });
    uninstall?.();
    install({ tracerProvider: counting });
    await assert.rejects(
      TaskGroup.run('g', async (group) => {
        group.spawn('parent', async () => {
          spawn('slow-child', () => sleep(5));
          spawn('fast-child', () => undefined);
        });
        group.spawn('cancelled', async (task) => {
          spawn('grandchild', (t) => sleep(1e9, { signal: t.signal }));
          await sleep(1e9, { signal: task.signal });
        });
        group.spawn('fails', async () => {
          await sleep(10);
          throw new Error('x');
        });
      }),
    );
    assert.deepEqual(Object.fromEntries(ended), { 'slow-child': 1, 'fast-child': 1, parent: 1, grandchild: 1, cancelled: 1, fails: 1 });
    const order = exporter.getFinishedSpans().map((span) => span.name);
    assert.ok(order.indexOf('slow-child') < order.indexOf('parent'), order.join(', '));
    assert.ok(order.indexOf('grandchild') < order.indexOf('cancelled'), order.join(', '));
  });

  it('makes spans of tasks cancelled before they start: queued ones, and ones spawned into a cancelling group', async () => {
    install();
    const hold = latch();
    await assert.rejects(
      TaskGroup.run(
        'pool',
        async (group) => {
          group.spawn('holds-slot', () => hold.promise);
          group.spawn('queued', () => assert.fail('never runs'));
          await tick();
          group.cancel('shutting down');
          group.spawn('born-cancelled', () => assert.fail('never runs'));
          hold.release();
        },
        { concurrency: 1 },
      ),
      CancelledError,
    );
    const s = spans();
    for (const name of ['queued', 'born-cancelled']) {
      const span = get(s, name);
      assert.equal(span.attributes['tasktree.task.outcome'], 'cancelled', name);
      assert.equal(span.events.find((e) => e.name === 'tasktree.cancelled')?.attributes?.['tasktree.cancel.kind'], 'explicit', name);
      assert.equal(span.status.code, SpanStatusCode.UNSET, name);
    }
    assert.equal(get(s, 'queued').attributes['tasktree.task.queued_ms'], undefined, 'never got a slot');
  });

  it('stops making spans once uninstalled; spans already started still end', async () => {
    install();
    const release = latch();
    await TaskGroup.run('g', async (group) => {
      group.spawn('before', () => release.promise);
      await tick();
      uninstall?.();
      group.spawn('after', () => undefined);
      release.release();
    });
    assert.deepEqual([...spans().keys()], ['before']);
    // Uninstalling twice does nothing.
    uninstall?.();
  });

  it('takes a filter, a span name, a tracer or a tracer provider', async () => {
    install({ filter: (task) => task.name !== 'heartbeat', spanName: (task) => `task ${task.name}` });
    await TaskGroup.run('g', async (group) => {
      group.spawn('heartbeat', async () => {
        spawn('beat', () => undefined);
      });
    });
    const s = spans();
    assert.deepEqual([...s.keys()], ['task beat']);
    // The left-out task runs where it was spawned: its child nests under the span active there (none).
    assert.equal(parentOf(get(s, 'task beat')), undefined);
    uninstall?.();
    exporter.reset();

    const scopes: string[] = [];
    install({ tracer: provider.getTracer('my-app') });
    await TaskGroup.run('g', async (group) => void group.spawn('a', () => undefined));
    scopes.push(...exporter.getFinishedSpans().map((span) => span.instrumentationScope.name));
    uninstall?.();
    install();
    await TaskGroup.run('g', async (group) => void group.spawn('b', () => undefined));
    scopes.push(exporter.getFinishedSpans()[1]?.instrumentationScope.name ?? '');
    assert.deepEqual(scopes, ['my-app', 'tasktree']);
  });

  it('reports a throwing filter once and leaves the task out', async (t) => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.message);
    process.on('warning', onWarning);
    t.after(() => process.off('warning', onWarning));
    install({
      filter: () => {
        throw new Error('bad filter');
      },
    });
    await TaskGroup.run('g', async (group) => {
      group.spawn('a', () => undefined);
      group.spawn('b', () => undefined);
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(exporter.getFinishedSpans().length, 0);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] as string, /^instrumentTasks\(options\): options\.filter threw for task 'a'; the task is not a span: Error: bad filter/);
  });

  it('follows no task when no SDK is registered (the API’s no-op tracer)', async () => {
    install({ tracerProvider: new ProxyTracerProvider() });
    let traceId: string | undefined = 'unset';
    await TaskGroup.run('g', async (group) => {
      group.spawn('a', async () => {
        traceId = captureSnapshot().tasks.find((x) => x.name === 'a')?.traceId;
      });
    });
    assert.equal(traceId, undefined);
    assert.equal(exporter.getFinishedSpans().length, 0);
  });

  it('gives a snapshot’s tasks their trace and span ids while instrumented', async () => {
    install();
    const seen: { traceId?: string; spanId?: string; active?: string }[] = [];
    await TaskGroup.run('g', async (group) => {
      group.spawn('a', async () => {
        const info = captureSnapshot().tasks.find((x) => x.name === 'a');
        seen.push({ traceId: info?.traceId, spanId: info?.spanId, active: trace.getActiveSpan()?.spanContext().spanId } as never);
      });
    });
    const a = get(spans(), 'a');
    assert.deepEqual(seen, [{ traceId: a.spanContext().traceId, spanId: a.spanContext().spanId, active: a.spanContext().spanId }]);
    assert.match(seen[0]?.traceId ?? '', /^[0-9a-f]{32}$/);
  });

  it('gives finished tasks in the history the trace and span ids they had', async () => {
    install();
    let id = '';
    await TaskGroup.run('g', async (group) => {
      id = group.spawn('done', () => undefined).id;
    });
    const finished = captureSnapshot().finished.findLast((f) => f.id === id);
    const span = get(spans(), 'done');
    assert.equal(finished?.traceId, span.spanContext().traceId);
    assert.equal(finished?.spanId, span.spanContext().spanId);
  });

  it('rejects bad options with TypeErrors naming them, and a second install with an Error', () => {
    const cases: [unknown, RegExp][] = [
      [42, /^instrumentTasks\(options\): expected options to be an object, got 42 \(number\)$/],
      [{ filtr: () => true }, /unknown option 'filtr' \(expected tracer, tracerProvider, filter, spanName, recordQueuedTime\)$/],
      [{ tracer: {} }, /expected options\.tracer to be an OpenTelemetry Tracer \(with startSpan\), got/],
      [{ tracerProvider: 'x' }, /expected options\.tracerProvider to be an OpenTelemetry TracerProvider/],
      [{ tracer: provider.getTracer('a'), tracerProvider: provider }, /give options\.tracer or options\.tracerProvider, not both$/],
      [{ filter: true }, /expected options\.filter to be a function, got true/],
      [{ spanName: 'x' }, /expected options\.spanName to be a function, got 'x' \(string\)/],
      [{ recordQueuedTime: 1 }, /expected options\.recordQueuedTime to be a boolean, got 1 \(number\)/],
    ];
    for (const [options, message] of cases) assert.throws(() => instrumentTasks(options as never), { name: 'TypeError', message });
    install();
    assert.throws(() => instrumentTasks(), {
      name: 'Error',
      message: /^instrumentTasks\(options\): tasks are already instrumented; call the uninstall function the first instrumentTasks\(\) returned before installing again$/,
    });
  });

  it('keeps other context values of the spawner in the task (baggage)', async () => {
    install();
    const key = Symbol('request');
    let seen: unknown;
    await context.with(context.active().setValue(key, 'r-1'), () =>
      TaskGroup.run('g', async (group) => {
        group.spawn('a', async (task: Task) => {
          seen = [context.active().getValue(key), task.name];
        });
      }),
    );
    assert.deepEqual(seen, ['r-1', 'a']);
  });
});
