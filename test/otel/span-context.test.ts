import '../helpers/no-unhandled.js';
import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { afterEach, describe, it } from 'node:test';
import { ROOT_CONTEXT, context, createContextKey, trace, type Context, type ContextManager } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { TaskGroup, spawn } from '../../src/index.js';
import { instrumentTasks } from '../../src/otel/index.js';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
provider.register();
const tracer = trace.getTracer('test');

let uninstall: (() => void) | undefined;
afterEach(() => {
  uninstall?.();
  uninstall = undefined;
  exporter.reset();
});

function span(name: string): ReadableSpan {
  const found = exporter.getFinishedSpans().find((s) => s.name === name);
  assert.ok(found !== undefined, `a span named '${name}'`);
  return found;
}
const idOf = (s: ReadableSpan): string => s.spanContext().spanId;

/** A context manager of its own making (an AsyncLocalStorage it does not expose), as another SDK may have. */
class OwnContextManager implements ContextManager {
  readonly #als = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.#als.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    return this.#als.run(ctx, () => fn.apply(thisArg, args));
  }
  bind<T>(ctx: Context, target: T): T {
    return (typeof target === 'function' ? (...args: unknown[]) => this.with(ctx, target as (...a: unknown[]) => unknown, undefined, ...args) : target) as T;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    return this;
  }
}

describe('the context a task’s function runs in', () => {
  it('has the task’s span active only inside its task: a task left out, started right after, runs in its spawner’s', async () => {
    uninstall = instrumentTasks({ filter: (task) => task.name !== 'left-out' });
    let inLeftOut: string | undefined;
    let inSpawnerAfter: string | undefined;
    await tracer.startActiveSpan('request', async (request) => {
      await TaskGroup.run('g', async (group) => {
        group.spawn('followed', () => undefined);
        group.spawn('left-out', () => {
          inLeftOut = trace.getActiveSpan()?.spanContext().spanId;
        });
        await group.spawn('last', () => undefined);
        inSpawnerAfter = trace.getActiveSpan()?.spanContext().spanId;
      });
      request.end();
    });
    assert.equal(inLeftOut, idOf(span('request')));
    assert.equal(inSpawnerAfter, idOf(span('request')));
    assert.equal(span('followed').parentSpanContext?.spanId, idOf(span('request')));
  });

  it('is a context like the API’s: values set on it keep the task’s span, a deleted span is gone', async () => {
    uninstall = instrumentTasks();
    const key = createContextKey('test key');
    const seen: unknown[] = [];
    await TaskGroup.run('g', async (group) => {
      group.spawn('worker', () => {
        const active = context.active();
        const derived = active.setValue(key, 'v');
        seen.push(trace.getSpan(derived) === trace.getActiveSpan(), derived.getValue(key), active.getValue(key));
        seen.push(trace.getSpan(trace.deleteSpan(active)), trace.getSpan(derived.deleteValue(key)) === trace.getActiveSpan(), derived.deleteValue(key).getValue(key));
      });
    });
    assert.deepEqual(seen, [true, 'v', undefined, undefined, true, undefined]);
  });

  it('has the task’s span active with a context manager other than the SDK’s', async () => {
    context.disable();
    context.setGlobalContextManager(new OwnContextManager());
    try {
      uninstall = instrumentTasks();
      let active: string | undefined;
      await TaskGroup.run('g', async (group) => {
        group.spawn('worker', async () => {
          await spawn('inner', () => undefined);
          active = trace.getActiveSpan()?.spanContext().spanId;
        });
      });
      assert.equal(active, idOf(span('worker')));
      assert.equal(span('inner').parentSpanContext?.spanId, idOf(span('worker')));
    } finally {
      context.disable();
      provider.register();
    }
  });
});
