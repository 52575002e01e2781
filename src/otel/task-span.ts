// One task's span: made at spawn (instrument.ts), the context the task's function runs in, and its
// end when the task settles — with the outcome, the cancellation event and the exception.
import { performance } from 'node:perf_hooks';
import { SpanStatusCode, trace, type Context, type Span, type SpanContext } from '@opentelemetry/api';
import type { Task } from '../core/task.js';
import { describeError, taskCancellation, taskCreated, taskResult, toEpoch, type TaskTracer } from '../core/internal.js';
import { ATTR_TASK_OUTCOME, ATTR_TASK_QUEUED_MS, EVENT_CANCELLED } from './attributes.js';
import { cancelAttributes } from './cancel-attributes.js';
import { OWN_CONTEXT, SPAN_KEY, enterContext, withSpan } from './span-context.js';

/**
 * The span of a task, and — as an OpenTelemetry `Context` — the context its function runs in: its
 * spawner's, with the span active. Being that context itself saves the API's copy of the spawner's
 * context (`trace.setSpan`: a Map and three closures) on every task.
 */
export class TaskSpan implements TaskTracer, Context {
  /**
   * The task's span; `undefined` once it has ended (the history keeps the task, and so this, for a
   * while: the SDK's span, with its attributes and events, is let go) until something asks for it.
   */
  #span: Span | undefined;
  /** The span's ids (the SDK's own object: nothing is copied). */
  readonly #ids: SpanContext;
  /** The context the span was started in: the spawner's. */
  readonly #parent: Context;
  /** `performance.now()` at spawn, when the wait for a concurrency slot is recorded. */
  readonly #spawnedAt: number | undefined;

  constructor(
    span: Span,
    parent: Context,
    /** The task's path, for its children's (`undefined` when the span records nothing). */
    readonly path: string | undefined,
    recordQueued: boolean,
  ) {
    this.#span = span;
    this.#ids = span.spanContext();
    this.#parent = parent;
    this.#spawnedAt = recordQueued ? performance.now() : undefined;
  }

  // After its end, a non-recording span of the same ids: spans made later in this context (a
  // callback the task left behind) still nest under it.
  get span(): Span {
    return (this.#span ??= trace.wrapSpanContext(this.#ids));
  }

  // Read when a snapshot asks: nothing is copied at spawn.
  get traceId(): string {
    return this.#ids.traceId;
  }
  get spanId(): string {
    return this.#ids.spanId;
  }

  // Context: the parent's values, with this span as the active one.
  getValue(key: symbol): unknown {
    return key === SPAN_KEY ? this.span : this.#parent.getValue(key);
  }
  setValue(key: symbol, value: unknown): Context {
    return this.#parent.setValue(SPAN_KEY, this.span).setValue(key, value);
  }
  deleteValue(key: symbol): Context {
    return key === SPAN_KEY ? this.#parent.deleteValue(key) : this.#parent.setValue(SPAN_KEY, this.span).deleteValue(key);
  }

  run(fn: (task: Task) => unknown, task: Task): unknown {
    if (this.#spawnedAt !== undefined) this.span.setAttribute(ATTR_TASK_QUEUED_MS, performance.now() - this.#spawnedAt);
    return enterContext(OWN_CONTEXT ? this : withSpan(this.#parent, this.span), fn, task);
  }

  settled(task: Task): void {
    const span = this.span;
    if (span.isRecording()) {
      const cancel = taskCancellation(task);
      if (cancel !== undefined) span.addEvent(EVENT_CANCELLED, cancelAttributes(cancel), toEpoch(Math.max(cancel._at, taskCreated(task))));
      const state = task.state;
      // Only a task that did not fulfil says so: most spans are fulfilled ones, and each attribute
      // is work at every span's end and bytes in every export.
      if (state !== 'fulfilled') span.setAttribute(ATTR_TASK_OUTCOME, state);
      if (state === 'rejected') {
        const error = taskResult(task);
        span.recordException(error instanceof Error ? error : describeError(error));
        span.setStatus({ code: SpanStatusCode.ERROR, message: describeError(error) });
      }
    }
    span.end();
    this.#span = undefined;
  }
}
