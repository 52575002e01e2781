// A task's state as the engine keeps it: the lifecycle code and flags in one field of the task
// (`_state`), and the extra state most tasks never need (TaskExtra, created on first use). Plain
// data and three accessors; nothing here calls the engine.
import type { AsyncResource } from 'node:async_hooks';
import type { Deferred } from './deferred.js';
import type { TaskTracer } from './hooks.js';
import type { CancelledError } from './errors.js';
import type { Wait } from './interrupt.js';
import type { Task, TaskState } from './task.js';
import type { TaskGroup } from './task-group.js';

// A task's `_state` holds its lifecycle code in the bits of STATE (`task._state & STATE`) and its
// flags above them; a flag, once set, stays set. One field for both: every field of a Task is 8
// bytes of every live task.

// Internal state codes, in lifecycle order: everything above RUNNING is settled.
export const QUEUED = 0;
export const RUNNING = 1;
export const FULFILLED = 2;
export const REJECTED = 3;
export const CANCELLED = 4;
/** The bits of `_state` that hold the state code. */
export const STATE = 7;
/** @internal The public name of each state code. */
export const STATE_NAMES: readonly TaskState[] = ['queued', 'running', 'fulfilled', 'rejected', 'cancelled'];

// Flags, above the state code.
export const DAEMON = 8;
/** The task holds one of its group's concurrency slots. */
export const SLOT = 16;
/** The task's function has ended: its scopes are closing, nothing more can be spawned into it. */
export const SCOPE_CLOSED = 32;

/**
 * @internal What most tasks never need, created on first use. A class, so that every task's extra
 * data has one shape (the fields are read on hot paths: settle, cancel, await). What only the outer
 * layers set (attributes, debug sites, tracers) is one level further down, in {@link TaskRare}: a
 * task whose extra data is only its signal or its cancellation (a cancellation storm's 10,000) does
 * not carry those fields.
 */
export class TaskExtra {
  /** Set once cancellation is requested. */
  cancel: CancelledError | undefined = undefined;
  /** A queued task's async context (where it was spawned), until it gets a concurrency slot. */
  context: AsyncResource | undefined = undefined;
  /** Head of the list of open groups the task owns (its own scope and explicit groups). */
  groups: TaskGroup | undefined = undefined;
  /** Created on the first read of `task.signal`. */
  ac: AbortController | undefined = undefined;
  /** Backs `result()`, created on first use. */
  deferred: Deferred<unknown> | undefined = undefined;
  /** The waits of scopes awaiting this task (one, or an array: see interrupt.ts). */
  awaiters: Wait | Wait[] | undefined = undefined;
  /** This task's own pending interruptible waits. */
  _waits: Wait | Wait[] | undefined = undefined;
  /** What only the outer layers set, created on their first write ({@link rareOf}). */
  rare: TaskRare | undefined = undefined;
}

/** @internal What only the outer layers set on a task: `task._extra.rare`, created by {@link rareOf}. */
export class TaskRare {
  attributes: Readonly<Record<string, string | number | boolean>> | undefined = undefined;
  /** Debug mode: the creation site (an object holding an unformatted stack). */
  createdSite: { stack?: string } | undefined = undefined;
  /**
   * Debug mode: where the task last began a wait on tasks, and that wait's start (`_ws`): the site
   * is current only while that wait is.
   */
  awaitSite: { stack?: string; since?: number } | undefined = undefined;
  /** The outer layer's tracer following this task (tasktree/otel), from `hooks.trace`. */
  tracer: TaskTracer | undefined = undefined;
  /** The `tasktree:task` tracing channel's message, once its start was published (see tracing.ts). */
  traced: TaskTraceMessage | undefined = undefined;
}

/**
 * The message published on the `tasktree:task` tracing channel for one task: the same object from
 * `start` to `asyncEnd`, with `error` (rejected) or `result` (fulfilled) set at settling.
 */
export interface TaskTraceMessage {
  readonly task: Task;
  error?: unknown;
  result?: unknown;
}

/** @internal The task's extra data, created on first use. */
export function extraOf(task: Task): TaskExtra {
  return (task._extra ??= new TaskExtra());
}

/** @internal What the outer layers set on the task, created on first use: write through this. */
export function rareOf(task: Task): TaskRare {
  return (extraOf(task).rare ??= new TaskRare());
}

/** @internal The first of the open groups the task owns (linked through `_nextG`), if any. */
export function groupsOf(task: Task): TaskGroup | undefined {
  const extra = task._extra;
  return extra === undefined ? undefined : extra.groups;
}

/** @internal The task's cancellation, once requested. */
export function cancelOf(task: Task): CancelledError | undefined {
  const extra = task._extra;
  return extra === undefined ? undefined : extra.cancel;
}
