// instrumentTasks(): while installed, every task spawned is a span (see task-span.ts). It fills the
// core's tracing hook, called at each spawn in the spawner's context: the span's parent is the span
// active there, else the parent task's span.
import { INVALID_TRACEID, ProxyTracerProvider, SpanKind, context, trace, type Context, type Tracer, type TracerProvider } from '@opentelemetry/api';
import type { Task } from '../core/task.js';
import type { TaskGroup } from '../core/task-group.js';
import { groupInPath, hooks, show, taskGroup, taskRare, type TaskTracer } from '../core/internal.js';
import { ATTR_GROUP_NAME, ATTR_TASK_DAEMON, ATTR_TASK_ID, ATTR_TASK_PATH } from './attributes.js';
import { withSpan } from './span-context.js';
import { TaskSpan } from './task-span.js';

/** Options of {@link instrumentTasks}. */
export interface InstrumentOptions {
  /** The tracer that makes the spans. Default: `tracerProvider.getTracer('tasktree')`. */
  readonly tracer?: Tracer;
  /**
   * Where the tracer comes from, when `tracer` is not given. Default: the global provider
   * (`trace.getTracerProvider()`), which follows an SDK registered later.
   */
  readonly tracerProvider?: TracerProvider;
  /**
   * Which tasks become spans (default: every task). A task left out runs in the context it was
   * spawned in; its children's spans nest under the span active where they are spawned. Leave out
   * long-lived tasks (a server's `main`): each span is one whole task, and every request under it
   * would be one trace the length of the process.
   */
  readonly filter?: (task: Task) => boolean;
  /** The span's name (default: the task's name). */
  readonly spanName?: (task: Task) => string;
  /**
   * Record `tasktree.task.queued_ms` on the spans of tasks in groups with a `concurrency` limit:
   * how long each waited from its spawn to its start. Default `true`.
   */
  readonly recordQueuedTime?: boolean;
}

const API = 'instrumentTasks(options)';
/** The API's no-op provider: what a proxy provider delegates to before an SDK registers. */
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();
/** Every task's span's options (the tracer only reads them): one object, not one per spawn. */
const SPAN_OPTIONS = Object.freeze({ kind: SpanKind.INTERNAL });
const KEYS = new Set(['tracer', 'tracerProvider', 'filter', 'spanName', 'recordQueuedTime']);

/**
 * Makes every task an OpenTelemetry span while installed, and returns the function that uninstalls
 * it (tasks spawned after that are not spans; spans already started still end when their tasks
 * settle). A span is named after its task, of kind INTERNAL; its parent is the span active where the
 * task was spawned — inside a task's function, that task's span (or a span made inside it); in a
 * request handler, the HTTP server span or the caller's context extracted from the request — and,
 * where no span is active (a task spawned from a plain callback), the parent task's span. The
 * task's function runs with its span active, so spans made inside it nest under the task. It ends when the task settles, after its children: a rejection sets
 * status ERROR and records the exception; a cancellation is not an error (an event
 * `tasktree.cancelled` with its reason, and the attribute `tasktree.task.outcome`, which only
 * tasks that did not fulfil carry).
 *
 * Needs `@opentelemetry/api` (an optional peer dependency of tasktree) and, for spans to be
 * recorded, an SDK with a context manager (e.g. `@opentelemetry/sdk-trace-node`'s
 * `NodeTracerProvider`, registered). With the API alone, every span is the API's no-op span and
 * tasks carry nothing.
 *
 * @throws TypeError for bad options; Error when it is already installed.
 * @example
 * ```ts
 * import { trace } from '@opentelemetry/api';
 * import { run, spawn } from 'tasktree';
 * import { instrumentTasks } from 'tasktree/otel';
 *
 * // With an SDK registered (see docs/opentelemetry.md), every task below is a span.
 * const uninstall = instrumentTasks({ filter: (task) => task.name !== 'heartbeat' });
 * await run(async () => {
 *   await spawn('fetch-user', async () => {
 *     // The task's span is the active one here: spans made inside nest under it.
 *     trace.getActiveSpan()?.addEvent('cache miss');
 *   });
 * });
 * uninstall();
 * ```
 */
export function instrumentTasks(options?: InstrumentOptions): () => void {
  checkOptions(options);
  if (hooks.trace !== undefined) {
    throw new Error(`${API}: tasks are already instrumented; call the uninstall function the first instrumentTasks() returned before installing again`);
  }
  const provider = options?.tracer === undefined ? (options?.tracerProvider ?? trace.getTracerProvider()) : undefined;
  const tracer = options?.tracer ?? (provider as TracerProvider).getTracer('tasktree');
  // The global provider is the API's proxy: until an SDK registers, its delegate is the no-op
  // provider, and a spawn costs this one check.
  const proxy = provider instanceof ProxyTracerProvider ? provider : undefined;
  const filter = options?.filter;
  const spanName = options?.spanName;
  const recordQueued = options?.recordQueuedTime ?? true;

  // The path prefix of the last group spawned into (a burst of spawns goes into one group).
  let lastGroup: TaskGroup | undefined;
  let lastPrefix = '';

  const onSpawn = (task: Task): TaskSpan | undefined => {
    if (proxy !== undefined && proxy.getDelegate() === NOOP_PROVIDER) return undefined;
    if (filter !== undefined && !callUser('filter', filter, task, false)) return undefined;
    const group = taskGroup(task);
    const owner = group.owner;
    const ownerSpan = owner === undefined ? undefined : taskRare(owner)?.tracer;
    // The span active here (inside a task's function: that task's span, or one made inside it; in
    // a request handler: the HTTP server span, or the caller's, extracted); else the parent task's.
    const active = context.active();
    let parent: Context = active;
    if (ownerSpan instanceof TaskSpan && trace.getSpan(active) === undefined) parent = withSpan(active, ownerSpan.span);
    const name = spanName === undefined ? task.name : String(callUser('spanName', spanName, task, task.name));
    const span = tracer.startSpan(name, SPAN_OPTIONS, parent);
    const recording = span.isRecording();
    // The API's no-op span (no SDK registered; one string comparison, not the API's regex checks): nothing to follow.
    if (!recording && span.spanContext().traceId === INVALID_TRACEID) return undefined;
    let path: string | undefined;
    if (recording) {
      if (group !== lastGroup) {
        lastGroup = group;
        lastPrefix = pathPrefix(group, owner, ownerSpan);
      }
      path = lastPrefix + task.name;
      const own = taskRare(task)?.attributes;
      if (own !== undefined) span.setAttributes(own);
      span.setAttribute(ATTR_TASK_ID, task.id);
      span.setAttribute(ATTR_TASK_PATH, path);
      span.setAttribute(ATTR_GROUP_NAME, group.name);
      span.setAttribute(ATTR_TASK_DAEMON, task.daemon);
    }
    return new TaskSpan(span, parent, path, recording && recordQueued && group._concurrency !== Infinity);
  };
  hooks.trace = onSpawn;
  return () => {
    if (hooks.trace === onSpawn) hooks.trace = undefined;
  };
}

/**
 * What a task's path starts with in `group` (owned by `owner`): the owner's path and the group's
 * level, as `task.path` makes it — read from the owner's span when it has one.
 */
function pathPrefix(group: TaskGroup, owner: Task | undefined, ownerSpan: TaskTracer | undefined): string {
  const level = groupInPath(group);
  let prefix = level === undefined ? '' : `${level} › `;
  if (owner !== undefined) {
    const ownerPath = ownerSpan instanceof TaskSpan && ownerSpan.path !== undefined ? ownerSpan.path : owner.path;
    prefix = `${ownerPath} › ${prefix}`;
  }
  return prefix;
}

const warned = new Set<string>();
/** Calls the user's `filter` or `spanName`; one that throws is reported once and `fallback` used. */
function callUser<R>(option: string, fn: (task: Task) => R, task: Task, fallback: R): R {
  try {
    return fn(task);
  } catch (error) {
    if (!warned.has(option)) {
      warned.add(option);
      process.emitWarning(`${API}: options.${option} threw for task '${task.name}'; ${option === 'filter' ? 'the task is not a span' : 'the task\'s name is used'}: ${error instanceof Error ? error.stack : String(error)}`, {
        type: 'TaskTreeWarning',
        code: 'TASKTREE_OTEL_OPTION_THREW',
      });
    }
    return fallback;
  }
}

function checkOptions(options: InstrumentOptions | undefined): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object') throw new TypeError(`${API}: expected options to be an object, got ${show(options)}`);
  for (const key of Object.keys(options)) {
    if (!KEYS.has(key)) throw new TypeError(`${API}: unknown option '${key}' (expected ${[...KEYS].join(', ')})`);
  }
  const { tracer, tracerProvider, filter, spanName, recordQueuedTime } = options;
  if (tracer !== undefined && typeof (tracer as Partial<Tracer> | null)?.startSpan !== 'function') {
    throw new TypeError(`${API}: expected options.tracer to be an OpenTelemetry Tracer (with startSpan), got ${show(tracer)}`);
  }
  if (tracerProvider !== undefined && typeof (tracerProvider as Partial<TracerProvider> | null)?.getTracer !== 'function') {
    throw new TypeError(`${API}: expected options.tracerProvider to be an OpenTelemetry TracerProvider (with getTracer), got ${show(tracerProvider)}`);
  }
  if (tracer !== undefined && tracerProvider !== undefined) throw new TypeError(`${API}: give options.tracer or options.tracerProvider, not both`);
  if (filter !== undefined && typeof filter !== 'function') throw new TypeError(`${API}: expected options.filter to be a function, got ${show(filter)}`);
  if (spanName !== undefined && typeof spanName !== 'function') throw new TypeError(`${API}: expected options.spanName to be a function, got ${show(spanName)}`);
  if (recordQueuedTime !== undefined && typeof recordQueuedTime !== 'boolean') {
    throw new TypeError(`${API}: expected options.recordQueuedTime to be a boolean, got ${show(recordQueuedTime)}`);
  }
}
