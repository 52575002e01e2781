// Tracing a task's life, for APM tools and tasktree/otel: the `tasktree:task` TracingChannel
// (`start`/`end` around calling the task's function, `error` when it rejects, `asyncStart`/`asyncEnd`
// when it settles, after its children), and the tracer an outer layer attached to the task at spawn
// (`hooks.trace`). Unused, each costs one check per task: the channel's `hasSubscribers`, and the
// task's extra state (absent on most tasks).
import { tracingChannel } from 'node:diagnostics_channel';
import type { Task } from './task.js';
import { REJECTED, FULFILLED, rareOf, type TaskRare, type TaskTraceMessage } from './task-state.js';

/** @internal The `tasktree:task` tracing channel. */
export const taskChannel = tracingChannel<TaskTraceMessage, TaskTraceMessage>('tasktree:task');

/** @internal Calls the task's function: through its tracer, and with the channel's events when subscribed. */
export function callFunction(task: Task, fn: (task: Task) => unknown): unknown {
  const extra = task._extra;
  const tracer = extra === undefined || extra.rare === undefined ? undefined : extra.rare.tracer;
  if (!taskChannel.hasSubscribers) return tracer === undefined ? fn(task) : tracer.run(fn, task);
  const message: TaskTraceMessage = { task };
  rareOf(task).traced = message;
  try {
    return taskChannel.start.runStores(message, tracer === undefined ? fn : (t: Task) => tracer.run(fn, t), undefined, task);
  } finally {
    taskChannel.end.publish(message);
  }
}

/** @internal The task settled (`state`, `result`): tell its tracer and the channel. */
export function traceSettled(task: Task, rare: TaskRare, state: number, result: unknown): void {
  const message = rare.traced;
  if (message !== undefined) {
    rare.traced = undefined;
    if (state === REJECTED) {
      message.error = result;
      taskChannel.error.publish(message);
    } else if (state === FULFILLED) message.result = result;
    taskChannel.asyncStart.publish(message);
    taskChannel.asyncEnd.publish(message);
  }
  const tracer = rare.tracer;
  if (tracer !== undefined) tracer.settled(task);
}
