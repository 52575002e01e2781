import { attributeValue, describeCancelledBy, describeWait, describeWaitTarget, formatAttributes, formatDuration, indexTasks, plural, taskLabel } from './describe.js';
import { describeStackReason, frameLocation, waitsUnseen } from './describe-stack.js';
import { findCycles } from './deadlocks.js';
import { describeFilter, filterTree, isFilterEmpty, liveState } from './filter.js';
import type { TaskFilter } from './filter.js';
import type { Snapshot, StackFrame, TaskInfo, WaitInfo } from './schema.js';

/** Options of {@link formatTree}. */
export interface FormatTreeOptions {
  /** Show identical sibling subtrees one by one instead of collapsing them as `[x120]`. */
  readonly expand?: boolean;
  /**
   * Show only the tasks that match (see {@link TaskFilter}) and their ancestors; an ancestor that
   * does not match itself is shown as `name [id] (context)`, and a last line says how many match.
   */
  readonly filter?: TaskFilter;
  /**
   * Where a running task waits on nothing tasktree saw and the snapshot has no stacks, say how to
   * see where it is (the CLI passes `--stacks`). Default: nothing is said.
   */
  readonly unseenHint?: string;
}

interface Node {
  /** The task; for a frame or a note, the task it belongs to. */
  readonly task: TaskInfo;
  /** A task, one of its stack's frames, a note about its stack, or a named group (its tasks under it). */
  readonly kind: 'task' | 'frame' | 'note' | 'group';
  /** What a frame's or note's line says; a group's name. */
  readonly text: string;
  readonly children: Node[];
  /** Shown only as the ancestor of a matching task. */
  readonly context: boolean;
  /** Equal for identical subtrees (same names, attributes, states, waits and shape; ids and ages aside). */
  shape: number;
}

/** One line of the tree: a task, or a run of identical siblings. */
interface Entry {
  readonly nodes: Node[];
  readonly prefix: string;
  readonly last: boolean;
  readonly depth: number;
}

/** Deeper levels stop indenting (a 100,000-deep chain would need gigabytes of spaces). */
const MAX_INDENT = 48;

/**
 * The task tree as text, like `pstree`: roots are tasks with no parent, children nested with
 * `├──`, `└──` and `│`. Each line shows the name, id, attributes (`{route=/users, method=GET}`),
 * state (`queued`, `running`, or `cancelling` once its cancellation was requested), age and what
 * the task waits on. Identical sibling subtrees (same names and attribute values up to numbers,
 * states, waits and shape) are collapsed as `[x120]` unless `expand` is set. Awaited-by
 * cycles — deadlocks — are listed after the tree as the cycle path. With a `filter`, only the
 * matching tasks and their ancestors are shown. When the snapshot has stacks
 * (`captureSnapshot({ stacks: true })`), each task's suspended async functions hang under it,
 * outermost first, each with its `file:line`, and a child task it awaits hangs under the frame that
 * awaits it, as in Python's `asyncio pstree`; branches of `Promise.all` and the like hang under
 * the frame awaiting them.
 *
 * A pure function of the snapshot: it reads no clock.
 *
 * @example
 * ```ts
 * import { run, spawn, sleep } from 'tasktree';
 * import { captureSnapshot, formatTree } from 'tasktree/inspect';
 * await run(async () => {
 *   spawn('worker', () => sleep(10));
 *   console.log(formatTree(captureSnapshot()));
 * });
 * ```
 */
export function formatTree(snapshot: Snapshot, options?: FormatTreeOptions): string {
  const byId = indexTasks(snapshot);
  const shown = filterTree(snapshot, options?.filter);
  const roots = buildForest(shown.tasks, shown.context, byId);
  const expand = options?.expand === true;
  if (!expand) assignShapes(roots, byId);

  const lines: string[] = [];
  const stack: Entry[] = [];
  const pushSiblings = (nodes: Node[], prefix: string, depth: number): void => {
    const runs = expand ? nodes.map((n) => [n]) : groupByShape(nodes);
    for (let i = runs.length - 1; i >= 0; i--) stack.push({ nodes: runs[i] as Node[], prefix, last: i === runs.length - 1, depth });
  };
  pushSiblings(roots, '', 0);
  while (stack.length > 0) {
    const { nodes, prefix, last, depth } = stack.pop() as Entry;
    const first = nodes[0] as Node;
    const marker = depth > MAX_INDENT ? `(depth ${depth}) ` : '';
    const text =
      first.kind === 'group'
        ? groupLine(nodes)
        : first.kind !== 'task'
        ? `${nodes.length === 1 ? '' : `[x${nodes.length}] `}${first.text}`
        : first.context
          ? contextLine(nodes)
          : nodes.length === 1
            ? taskLine(first.task, byId, options?.unseenHint)
            : runLine(nodes, byId, options?.unseenHint);
    lines.push(`${prefix}${last ? '└── ' : '├── '}${marker}${text}`);
    if (first.children.length > 0) {
      const indent = depth >= MAX_INDENT ? prefix : `${prefix}${last ? '    ' : '│   '}`;
      pushSiblings(first.children, indent, depth + 1);
    }
  }
  const filtered = !isFilterEmpty(options?.filter);
  if (lines.length === 0 && !filtered) lines.push('(no live tasks)');

  const visible = new Set(shown.tasks.map((t) => t.id));
  const cycles = findCycles(snapshot.tasks, byId).filter((cycle) => cycle.some((id) => visible.has(id)));
  if (cycles.length > 0) {
    lines.push('', cycles.length === 1 ? 'Deadlock (tasks awaiting each other):' : `Deadlocks (${cycles.length} cycles of tasks awaiting each other):`);
    for (const cycle of cycles) {
      const names = cycle.map((id) => `${byId.get(id)?.name ?? '?'} [${id}]`);
      lines.push(`  ${names.join(' → ')} → ${names[0] as string}`);
      // Where each waits, when anything is known of that (stacks, debug mode's sites, a join).
      const where = cycle.map((id) => waitsWhere(byId.get(id), byId));
      if (where.some((w) => w.known)) names.forEach((name, k) => lines.push(`    ${name} ${(where[k] as { text: string }).text}`));
    }
  }
  if (filtered) {
    const summary = `${shown.matched} of ${plural(snapshot.tasks.length, 'live task')} match ${describeFilter(options?.filter)}`;
    if (lines.length > 0) lines.push('');
    lines.push(shown.context.size === 0 ? summary : `${summary}; (context) marks their ancestors`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Where a task on a deadlock cycle waits, and whether that is known: `waits at helper
 * (src/locks.ts:10:5)` from its stack's innermost frame, else from debug mode's await site; a join
 * says so; otherwise only what it waits on.
 */
function waitsWhere(task: TaskInfo | undefined, byId: Map<string, TaskInfo>): { text: string; known: boolean } {
  const frame = task?.stack?.[0];
  if (frame !== undefined) return { text: `waits at ${frame.fn} (${frameLocation(frame, true)})`, known: true };
  const wait = task?.waitingOn ?? null;
  if (wait?.kind === 'group') return { text: `waits for the tasks of group '${wait.group}' to finish (leaving its scope)`, known: true };
  const site = task?.awaitSite?.[0];
  if (site !== undefined) return { text: `waits at ${site}`, known: true };
  return { text: wait === null ? 'waits' : `waits on ${describeWaitTarget(wait, byId)}`, known: false };
}

/** @internal `name [id] {key=value} running 1.2 s — waiting on … for …` */
export function taskLine(task: TaskInfo, byId: Map<string, TaskInfo>, unseenHint?: string): string {
  const attributes = formatAttributes(task.attributes);
  let line = `${task.name} [${task.id}]${attributes === null ? '' : ` {${attributes}}`} ${liveState(task)} ${formatDuration(task.ageMs)}`;
  if (task.daemon) line += ' (daemon)';
  if (task.waitingOn !== null) line += ` — ${describeWait(task.waitingOn, byId)}`;
  else if (unseenHint !== undefined && waitsUnseen(task)) line += ` — waiting on ? (see ${unseenHint})`;
  if (task.cancelled !== null) line += ` — cancel requested ${formatDuration(task.cancelled.forMs)} ago (${task.cancelled.message}${describeCancelledBy(task.cancelled)})`;
  return line;
}

/** A named group, its tasks under it: `request#3 (group)`, `[x3] request#1 … request#3 (group)`. */
function groupLine(nodes: Node[]): string {
  const first = (nodes[0] as Node).text;
  const last = (nodes[nodes.length - 1] as Node).text;
  return nodes.length === 1 ? `${first} (group)` : `[x${nodes.length}] ${last === first ? first : `${first} … ${last}`} (group)`;
}

/** An ancestor shown for its matching descendants: `name [id] {key=value} (context)`. */
function contextLine(nodes: Node[]): string {
  const first = (nodes[0] as Node).task;
  const attributes = runAttributes(nodes);
  const label = nodes.length === 1 ? `${first.name} [${first.id}]` : `[x${nodes.length}] ${runNames(nodes)} [${first.id} …]`;
  return `${label}${attributes === null ? '' : ` {${attributes}}`} (context)`;
}

/** `request#1 … request#12`, or the one name when all are the same. */
function runNames(nodes: Node[]): string {
  const first = (nodes[0] as Node).task.name;
  const last = (nodes[nodes.length - 1] as Node).task.name;
  return last === first ? first : `${first} … ${last}`;
}

/** The attributes of a run of identical siblings: `key=value` when all agree, else `key=first … last`. */
function runAttributes(nodes: Node[]): string | null {
  const first = (nodes[0] as Node).task.attributes;
  if (first === null || Object.keys(first).length === 0) return null;
  const last = (nodes[nodes.length - 1] as Node).task.attributes ?? {};
  return Object.entries(first)
    .map(([key, value]) => {
      const text = attributeValue(value);
      const same = nodes.every(({ task }) => task.attributes !== null && task.attributes[key] === value);
      const end = last[key];
      return same || end === undefined ? `${key}=${text}` : `${key}=${text} … ${attributeValue(end)}`;
    })
    .join(', ');
}

function runLine(nodes: Node[], byId: Map<string, TaskInfo>, unseenHint: string | undefined): string {
  const first = (nodes[0] as Node).task;
  let minAge = Infinity;
  let maxAge = 0;
  for (const { task } of nodes) {
    minAge = Math.min(minAge, task.ageMs);
    maxAge = Math.max(maxAge, task.ageMs);
  }
  const ages = formatDuration(minAge) === formatDuration(maxAge) ? formatDuration(minAge) : `${formatDuration(minAge)}–${formatDuration(maxAge)}`;
  const attributes = runAttributes(nodes);
  let line = `[x${nodes.length}] ${runNames(nodes)} [${first.id} …]${attributes === null ? '' : ` {${attributes}}`} ${liveState(first)} ${ages}`;
  if (first.daemon) line += ' (daemon)';
  // Ids of the first task's targets would mislead on a line that stands for many tasks.
  if (first.waitingOn !== null) line += ` — waiting on ${describeWaitTarget(first.waitingOn, byId).replace(IDS, '')}`;
  else if (unseenHint !== undefined && waitsUnseen(first)) line += ` — waiting on ? (see ${unseenHint})`;
  if (first.cancelled !== null) line += ` — cancel requested (${first.cancelled.message}${describeCancelledBy(first.cancelled)})`;
  return line;
}

function buildForest(tasks: readonly TaskInfo[], context: ReadonlySet<string>, byId: Map<string, TaskInfo>): Node[] {
  const nodes = new Map<string, Node>();
  for (const task of tasks) nodes.set(task.id, { task, kind: 'task', text: '', children: [], context: context.has(task.id), shape: 0 });
  const roots: Node[] = [];
  // A task spawned into a named group hangs under that group's line, one per name under a parent
  // (an agent older than `namedGroup` sends none: its tasks hang under their parent).
  const groups = new Map<string, Node>();
  for (const task of tasks) {
    const node = nodes.get(task.id) as Node;
    const found = task.parentId === null ? undefined : nodes.get(task.parentId);
    const parent = found === node ? undefined : found;
    const siblings = parent === undefined ? roots : parent.children;
    const groupName = task.namedGroup ?? null;
    if (groupName === null) {
      siblings.push(node);
      continue;
    }
    const key = `${parent === undefined ? '' : parent.task.id}\u0000${groupName}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { task, kind: 'group', text: groupName, children: [], context: false, shape: 0 };
      groups.set(key, group);
      siblings.push(group);
    }
    group.children.push(node);
  }
  for (const node of nodes.values()) if (!node.context) hangStack(node, byId);
  return roots;
}

/**
 * With stacks: the task's frames become a chain of lines under it, outermost first; the children it
 * awaits move under the innermost frame (the one awaiting them); an empty stack says why.
 */
function hangStack(node: Node, byId: Map<string, TaskInfo>): void {
  const { task } = node;
  const frames = task.stack ?? null;
  if (frames === null) return;
  if (frames.length === 0) {
    const reason = task.stackReason ?? null;
    // A queued or joining task's line already says so, and so does a wait tasktree saw.
    if (reason !== null && reason !== 'queued' && reason !== 'joining' && reason !== 'starting' && !(reason === 'no-async-frame' && task.waitingOn !== null)) {
      node.children.unshift(note(task, `(${describeStackReason(reason)})`));
    }
    return;
  }
  const awaited = new Set(task.waitingOn?.kind === 'task' ? task.waitingOn.taskIds : []);
  const moved = node.children.filter((child) => awaited.has(child.task.id));
  const rest = node.children.filter((child) => !awaited.has(child.task.id));
  const chain = frameChain(task, frames, task.stackReason === 'never-settles', '', awaited.size);
  chain.innermost.children.push(...moved);
  // An awaited task that is not a child is shown where it lives; the frame says which it awaits.
  const elsewhere = [...awaited].filter((id) => !moved.some((child) => child.task.id === id));
  if (elsewhere.length > 0) chain.innermost.children.push(note(task, `awaits ${elsewhere.map((id) => taskLabel(id, byId)).join(', ')} (shown where it runs)`));
  node.children.length = 0;
  node.children.push(chain.outermost, ...rest);
}

function note(task: TaskInfo, text: string): Node {
  return { task, kind: 'note', text, children: [], context: false, shape: 0 };
}

/**
 * Frames (innermost first) as nested lines, outermost first; branches under the frame awaiting them.
 * When the innermost frame's combinator awaits only the `tasksAwaited` tasks hung under it (its
 * branches run no async function of their own), the frame's line names it instead.
 */
function frameChain(
  task: TaskInfo,
  frames: readonly StackFrame[],
  neverSettles: boolean,
  lead = '',
  tasksAwaited = 0,
): { outermost: Node; innermost: Node } {
  let outer: Node | undefined;
  let inner: Node | undefined;
  for (let i = frames.length - 1; i >= 0; i--) {
    const frame = frames[i] as StackFrame;
    const last = i === 0;
    const ofTasks =
      last && frame.awaits !== undefined && tasksAwaited > 0 && frame.awaits.branches.length === tasksAwaited && frame.awaits.branches.every((b) => b.length === 0);
    const tail = last && neverSettles ? ' — awaits a promise that can never settle' : ofTasks ? ` — ${frame.awaits?.combinator} of the ${plural(tasksAwaited, 'task')} below` : '';
    const text = `${i === frames.length - 1 ? lead : ''}${frame.fn} ${frameLocation(frame)}${tail}`;
    const node: Node = { task, kind: 'frame', text, children: [], context: false, shape: 0 };
    if (frame.awaits !== undefined && !ofTasks) {
      const { combinator, branches } = frame.awaits;
      branches.forEach((branch, k) => {
        const label = `${combinator} #${k}: `;
        node.children.push(branch.length === 0 ? note(task, `${label}a promise (no async function)`) : frameChain(task, branch, false, label).outermost);
      });
    }
    if (inner === undefined) outer = node;
    else inner.children.push(node);
    inner = node;
  }
  return { outermost: outer as Node, innermost: inner as Node };
}

// Siblings that differ only in numbers (`request#41`, `request#42`) count as identical.
const DIGITS = /\d+/g;
const IDS = / \[[^\]]*\]/g;

// Shapes by hash-consing: a subtree's key is its own description plus its children's shape
// numbers, so keys stay short however deep the tree is. Children are numbered before parents.
function assignShapes(roots: Node[], byId: Map<string, TaskInfo>): void {
  const order: Node[] = [];
  const stack = [...roots];
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    order.push(node);
    for (const child of node.children) stack.push(child);
  }
  const shapes = new Map<string, number>();
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i] as Node;
    const { task } = node;
    if (node.kind !== 'task') {
      const text = node.kind === 'group' ? node.text.replace(DIGITS, '#') : node.text;
      const key = `${node.kind}\u0000${text}\u0000${node.children.map((c) => c.shape).join(',')}`;
      let shape = shapes.get(key);
      if (shape === undefined) shapes.set(key, (shape = shapes.size + 1));
      node.shape = shape;
      continue;
    }
    const wait = task.waitingOn === null || node.context ? '' : waitShape(task.waitingOn, byId);
    const attributes = (formatAttributes(task.attributes, Infinity) ?? '').replace(DIGITS, '#');
    const own = node.context
      ? `context\u0000${attributes}`
      : `${attributes}\u0000${task.state}\u0000${task.daemon}\u0000${wait}\u0000${task.cancelled?.kind ?? ''}\u0000${task.cancelled?.by?.message ?? ''}`;
    const key = `${task.name.replace(DIGITS, '#')}\u0000${own}\u0000${node.children.map((c) => c.shape).join(',')}`;
    let shape = shapes.get(key);
    if (shape === undefined) shapes.set(key, (shape = shapes.size + 1));
    node.shape = shape;
  }
}

function waitShape(wait: WaitInfo, byId: Map<string, TaskInfo>): string {
  switch (wait.kind) {
    case 'task':
      return `task:${wait.taskIds.map((id) => byId.get(id)?.name ?? '?').join(',')}`;
    case 'group':
    case 'queue':
      return `${wait.kind}:${wait.group}`;
    case 'sleep':
      return `sleep:${wait.ms}`;
    case 'promise':
      return `promise:${wait.label}`;
  }
}

/** Runs of siblings with the same shape, in order of first appearance. */
function groupByShape(nodes: Node[]): Node[][] {
  const runs = new Map<number, Node[]>();
  for (const node of nodes) {
    const run = runs.get(node.shape);
    if (run === undefined) runs.set(node.shape, [node]);
    else run.push(node);
  }
  return [...runs.values()];
}
