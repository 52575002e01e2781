// One task's span: made at spawn (instrument.ts), the context the task's function runs in, and its
// end when the task settles — with the outcome, the cancellation event and the exception.
import { performance } from 'node:perf_hooks';
import { SpanStatusCode, context, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import type { CancelledError } from '../core/errors.js';
import type { Task } from '../core/task.js';
import { describeCancelReason, describeError, taskCancellation, taskCreated, taskResult, toEpoch, type TaskTracer } from '../core/internal.js';
import {
  ATTR_CANCEL_KIND,
  ATTR_CANCEL_REASON,
  ATTR_CANCEL_TASK_ID,
  ATTR_TASK_OUTCOME,
  ATTR_TASK_QUEUED_MS,
  EVENT_CANCELLED,
} from './attributes.js';

export class TaskSpan implements TaskTracer {
  /** The context the task's function runs in: its spawner's, with this span active. */
  readonly context: Context;
  /** The task's path, for its children's (`undefined` when the span records nothing). */
  readonly path: string | undefined;
  /** `performance.now()` at spawn, when the wait for a concurrency slot is recorded. */
  readonly #spawnedAt: number | undefined;

  constructor(
    readonly span: Span,
    parent: Context,
    path: string | undefined,
    recordQueued: boolean,
  ) {
    this.context = trace.setSpan(parent, span);
    this.path = path;
    this.#spawnedAt = recordQueued ? performance.now() : undefined;
  }

  get traceId(): string {
    return this.span.spanContext().traceId;
  }
  get spanId(): string {
    return this.span.spanContext().spanId;
  }

  run(fn: (task: Task) => unknown, task: Task): unknown {
    if (this.#spawnedAt !== undefined) this.span.setAttribute(ATTR_TASK_QUEUED_MS, performance.now() - this.#spawnedAt);
    return context.with(this.context, fn, undefined, task);
  }

  settled(task: Task): void {
    const span = this.span;
    if (span.isRecording()) {
      const cancel = taskCancellation(task);
      if (cancel !== undefined) span.addEvent(EVENT_CANCELLED, cancelAttributes(cancel), toEpoch(Math.max(cancel._at, taskCreated(task))));
      const state = task.state;
      span.setAttribute(ATTR_TASK_OUTCOME, state);
      if (state === 'rejected') {
        const error = taskResult(task);
        span.recordException(error instanceof Error ? error : describeError(error));
        span.setStatus({ code: SpanStatusCode.ERROR, message: describeError(error) });
      }
    }
    span.end();
  }
}

/** Who cancelled and why: the reason's kind, its sentence, and the task it names, if any. */
function cancelAttributes(cancel: CancelledError): Attributes {
  const reason = cancel.reason;
  const out: Attributes = { [ATTR_CANCEL_KIND]: reason.kind, [ATTR_CANCEL_REASON]: describeCancelReason(reason) };
  if (reason.kind === 'sibling-failed') out[ATTR_CANCEL_TASK_ID] = reason.task.id;
  else if (reason.kind === 'parent-cancelled') out[ATTR_CANCEL_TASK_ID] = reason.parent.id;
  return out;
}
