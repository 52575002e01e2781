import { channel } from 'node:diagnostics_channel';
import { EventEmitter } from 'eventemitter3';
import type { Task } from './task.js';
import type { CancelledError } from './errors.js';

/** The lifecycle events of every task, with their listener signatures. */
export interface TaskEventMap {
  /** A task was created (it may start later, or be queued, or be born cancelled). */
  spawn: [task: Task];
  /** A task's function is about to run. */
  start: [task: Task];
  /** A task settled: `task.state` is `fulfilled`, `rejected` or `cancelled`. */
  settle: [task: Task];
  /** Cancellation of a task was requested; it may keep running until it notices. */
  cancel: [task: Task, error: CancelledError];
}

export type TaskEventName = keyof TaskEventMap;

// Whether anyone listens to taskEvents, kept up to date by the emitter itself so the hot path
// checks one boolean before building anything.
let emitterActive = false;

/**
 * The typed emitter behind {@link taskEvents}. A listener that throws is removed and reported
 * once with `process.emitWarning`; the runtime carries on.
 */
export class TaskEvents extends EventEmitter<TaskEventMap> {
  override on<E extends TaskEventName>(event: E, fn: EventEmitter.EventListener<TaskEventMap, E>, context?: unknown): this {
    super.on(event, fn, context);
    emitterActive = true;
    return this;
  }
  override addListener<E extends TaskEventName>(event: E, fn: EventEmitter.EventListener<TaskEventMap, E>, context?: unknown): this {
    return this.on(event, fn, context);
  }
  override once<E extends TaskEventName>(event: E, fn: EventEmitter.EventListener<TaskEventMap, E>, context?: unknown): this {
    super.once(event, fn, context);
    emitterActive = true;
    return this;
  }
  override removeListener<E extends TaskEventName>(
    event: E,
    fn?: EventEmitter.EventListener<TaskEventMap, E>,
    context?: unknown,
    once?: boolean,
  ): this {
    super.removeListener(event, fn, context, once);
    emitterActive = this.eventNames().length > 0;
    return this;
  }
  override off<E extends TaskEventName>(
    event: E,
    fn?: EventEmitter.EventListener<TaskEventMap, E>,
    context?: unknown,
    once?: boolean,
  ): this {
    return this.removeListener(event, fn, context, once);
  }
  override removeAllListeners(event?: TaskEventName): this {
    super.removeAllListeners(event);
    emitterActive = this.eventNames().length > 0;
    return this;
  }
}

/**
 * Lifecycle events of every task in the process: `spawn`, `start`, `settle`, `cancel`.
 * The same lifecycle is published on the `node:diagnostics_channel` channels `tasktree:spawn`,
 * `tasktree:start`, `tasktree:settle` and `tasktree:cancel` (message: `{ task }`, plus `error`
 * for `cancel`) for APM tools. When nobody listens, emitting builds nothing: it costs two cheap checks (a flag and the channel's `hasSubscribers`).
 * Each task's life is also a TracingChannel, `tracingChannel('tasktree:task')` (message `{ task }`):
 * `start`/`end` around starting its function (which runs in the stores bound to `start`), `error`
 * when it rejects, `asyncStart`/`asyncEnd` once it settled, after its children (see tracing.ts).
 *
 * @example
 * ```ts
 * import { taskEvents } from 'tasktree';
 * taskEvents.on('settle', (task) => {
 *   if (task.state === 'rejected') console.error(`${task.path} failed`);
 * });
 * ```
 */
export const taskEvents = new TaskEvents();

const channels = {
  spawn: channel('tasktree:spawn'),
  start: channel('tasktree:start'),
  settle: channel('tasktree:settle'),
  cancel: channel('tasktree:cancel'),
} as const;

/** @internal Is anybody listening to this event, on the emitter or its diagnostics channel? */
export function isObserved(event: TaskEventName): boolean {
  return emitterActive || channels[event].hasSubscribers;
}

/** @internal Emits one event to the emitter and its channel. Call only when {@link isObserved} said yes. */
export function emit<E extends TaskEventName>(event: E, ...args: TaskEventMap[E]): void {
  const ch = channels[event];
  if (ch.hasSubscribers) {
    try {
      ch.publish(args.length === 1 ? { task: args[0] } : { task: args[0], error: args[1] });
    } catch {
      // diagnostics_channel reports subscriber errors itself (on process 'uncaughtException'
      // in a later tick); nothing here may break the runtime.
    }
  }
  if (!emitterActive) return;
  // eventemitter3 keeps one listener as a bare record and several as an array; copy before calling
  // so listeners that remove themselves do not disturb the loop.
  const stored = (taskEvents as unknown as { _events: Record<string, StoredListener | StoredListener[] | undefined> })._events[event];
  if (stored === undefined) return;
  const list = Array.isArray(stored) ? stored.slice() : [stored];
  for (const entry of list) {
    if (entry.once) taskEvents.removeListener(event, entry.fn as never, entry.context, true);
    try {
      entry.fn.apply(entry.context, args);
    } catch (error) {
      taskEvents.removeListener(event, entry.fn as never, entry.context);
      process.emitWarning(
        `a taskEvents '${event}' listener threw and was removed: ${error instanceof Error ? error.stack : String(error)}`,
        { type: 'TaskTreeWarning', code: 'TASKTREE_LISTENER_THREW' },
      );
    }
  }
}

interface StoredListener {
  fn: (...args: unknown[]) => void;
  context: unknown;
  once: boolean;
}
