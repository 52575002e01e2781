import { Task, currentTask } from '../core/index.js';
import { awaitedTasks, liveTasks, now, taskRare, taskWait } from '../core/internal.js';
import { formatDuration } from './describe.js';
import { frameLocation } from './describe-stack.js';
import type { Snapshot, StackFrame } from './schema.js';
import { currentAwaitSite, siteLines } from './sites.js';
import { captureSnapshot } from './snapshot.js';
import type { StacksOptions } from './stacks/capture.js';

/** One task in a call graph: its stack (best available), what it waits on, and who awaits it. */
export interface CallGraph {
  readonly task: { readonly id: string; readonly name: string; readonly path: string; readonly state: string };
  /**
   * Innermost frame first, as `fn (file:line:col)`. For the calling task: the live stack. For
   * other tasks, with `stacks: true`: where they are suspended (every frame, like Python's
   * `capture_call_graph` of any task); without: where they last awaited a task, else where they
   * were spawned (both recorded in debug mode only); empty when unknown.
   */
  readonly callStack: readonly string[];
  /** `db.query for 1.2 s`, `task fetch-user [id] for 3 s`, or null. */
  readonly waitingOn: string | null;
  /** The tasks awaiting this one, each with its own graph. */
  readonly awaitedBy: readonly CallGraph[];
}

/** Options of {@link captureCallGraph}. */
export interface CallGraphOptions {
  /** How many levels of awaiting tasks to follow (default: all). */
  readonly depth?: number;
  /** At most this many frames per call stack (default: all). */
  readonly limit?: number;
}

/** Options of {@link captureCallGraph} with stacks: every task's frames, found by a bounded stop. */
export interface CallGraphStacksOptions extends CallGraphOptions, StacksOptions {
  readonly stacks: true;
}

/**
 * The call graph of a task, like Python's `asyncio.capture_call_graph()`: its stack and the tasks
 * awaiting it, recursively. Without a task, the current one (`undefined` outside tasks). With
 * `{ stacks: true }`, a Promise of the graph in which every task's stack is where it is suspended
 * (see `captureSnapshot({ stacks: true })`). With `{ all: true }`, a {@link Snapshot} of every live
 * task instead.
 *
 * @example
 * ```ts
 * import { run, spawn } from 'tasktree';
 * import { captureCallGraph, formatCallGraph } from 'tasktree/inspect';
 * await run(async () => {
 *   const child = spawn('child', async () => formatCallGraph(captureCallGraph()!));
 *   console.log(await child); // * Task(name='child', …) awaited by main
 * });
 * ```
 */
export function captureCallGraph(all: { readonly all: true }): Snapshot;
export function captureCallGraph(task: Task | undefined, options: CallGraphStacksOptions): Promise<CallGraph | undefined>;
export function captureCallGraph(task?: Task, options?: CallGraphOptions): CallGraph | undefined;
export function captureCallGraph(
  arg?: Task | { readonly all: true },
  options?: CallGraphOptions | CallGraphStacksOptions,
): CallGraph | Snapshot | undefined | Promise<CallGraph | undefined> {
  if (arg !== undefined && !(arg instanceof Task)) {
    if ((arg as { all?: unknown }).all === true) return captureSnapshot();
    throw new TypeError(`captureCallGraph(task, options): expected a Task, { all: true } or nothing, got ${String(arg)}`);
  }
  const current = currentTask();
  const task = arg ?? current;
  if (task === undefined) return undefined;
  const depth = options?.depth ?? Infinity;
  const limit = options?.limit ?? Infinity;
  if (!(depth >= 0) || !(limit >= 0)) throw new RangeError('captureCallGraph(task, options): expected depth and limit to be numbers >= 0');
  const liveStack = task === current ? siteLines({ stack: new Error('call graph').stack ?? '' }) : null;
  if (options !== undefined && 'stacks' in options && options.stacks === true) {
    return captureSnapshot({ ...options, stacks: true }).then((snapshot) => {
      const frames = new Map(snapshot.tasks.map((t) => [t.id, t.stack ?? []]));
      return buildGraph(task, depth, limit, (t) => (t === task && liveStack) || (frames.get(t.id) ?? []).map(frameText));
    });
  }
  return buildGraph(task, depth, limit, (t) => {
    return (t === task && liveStack) || currentAwaitSite(t) || siteLines(taskRare(t)?.createdSite) || [];
  });
}

/** `helper (src/service.ts:14:11)`, as a stack line reads. */
function frameText(frame: StackFrame): string {
  return `${frame.fn} (${frameLocation(frame, true)})`;
}

function buildGraph(task: Task, depth: number, limit: number, stackOf: (task: Task) => readonly string[]): CallGraph {
  // Reverse index of awaits, built once.
  const awaiters = new Map<Task, Task[]>();
  for (const waiter of liveTasks()) {
    for (const target of awaitedTasks(waiter)) {
      const list = awaiters.get(target);
      if (list === undefined) awaiters.set(target, [waiter]);
      else list.push(waiter);
    }
  }
  const at = now();
  const build = (t: Task, level: number, seen: Set<Task>): CallGraph => {
    const stack = stackOf(t);
    const wait = taskWait(t);
    let waitingOn: string | null = null;
    if (wait !== undefined) {
      const target =
        wait.kind === 'task'
          ? wait.below !== undefined
            ? `fewer than ${wait.below.n} tasks in '${wait.below.group.name}'`
            : wait.tasks.map((w) => `${w.name} [${w.id}]`).join(', ')
          : wait.kind === 'group' || wait.kind === 'queue'
            ? `${wait.kind} '${wait.group.name}'`
            : wait.kind === 'sleep'
              ? `sleep ${wait.ms} ms`
              : wait.label;
      waitingOn = `${target} for ${formatDuration(at - wait.since)}`;
    }
    const next = new Set(seen).add(t);
    const by = level >= depth ? [] : (awaiters.get(t) ?? []).filter((w) => !next.has(w)).map((w) => build(w, level + 1, next));
    return Object.freeze({
      task: Object.freeze({ id: t.id, name: t.name, path: t.path, state: t.state }),
      callStack: Object.freeze(stack.slice(0, limit)),
      waitingOn,
      awaitedBy: Object.freeze(by),
    });
  };
  return build(task, 0, new Set());
}

const FRAME = /^(?:(.*?) \()?(.*?):(\d+):(\d+)\)?$/;

/** `File 'examples/service.ts', line 88, in render()` from `render (examples/service.ts:88:5)`. */
function pythonFrame(frame: string): string {
  const m = FRAME.exec(frame);
  if (m === null) return frame;
  return `File '${m[2] as string}', line ${m[3] as string}, in ${m[1] ?? '<anonymous>'}()`;
}

/**
 * A call graph as text in the format of Python's `asyncio.format_call_graph()`:
 * `* Task(name=..., id=...)`, `+ Call stack:`, `+ Awaited by:`, nested by four spaces.
 */
export function formatCallGraph(graph: CallGraph): string {
  const lines: string[] = [];
  const stack: [CallGraph, number][] = [[graph, 0]];
  while (stack.length > 0) {
    const [g, level] = stack.pop() as [CallGraph, number];
    const pad = '    '.repeat(level);
    lines.push(`${pad}* Task(name='${g.task.name}', id='${g.task.id}', state='${g.task.state}')`);
    if (g.callStack.length > 0) {
      lines.push(`${pad}  + Call stack:`);
      for (const frame of g.callStack) lines.push(`${pad}  |   ${pythonFrame(frame)}`);
    }
    if (g.waitingOn !== null) lines.push(`${pad}  + Waiting on: ${g.waitingOn}`);
    if (g.awaitedBy.length > 0) {
      lines.push(`${pad}  + Awaited by:`);
      for (let i = g.awaitedBy.length - 1; i >= 0; i--) stack.push([g.awaitedBy[i] as CallGraph, level + 1]);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Options of {@link printCallGraph}. */
export interface PrintCallGraphOptions extends CallGraphOptions {
  /** Where to write. Default `process.stderr`. */
  readonly stream?: { write(text: string): unknown };
}

/** Writes the call graph of `task` (default: the current task) to a stream; nothing outside tasks. */
export function printCallGraph(task?: Task, options?: PrintCallGraphOptions): void {
  const graph = captureCallGraph(task, options);
  if (graph === undefined) return;
  (options?.stream ?? process.stderr).write(formatCallGraph(graph));
}
