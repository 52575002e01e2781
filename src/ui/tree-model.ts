/**
 * The task tree as rows for the page: a pure function of a snapshot and of what the reader opened
 * and closed. Children in a named group (a `TaskGroup` other than the task's own scope) sit under
 * a group row; identical siblings (names equal up to numbers, same state, wait and subtree, as
 * `tasktree pstree` collapses them) form one `[xN]` run row that opens to show them. Every row has
 * a key that stays the same from one snapshot to the next — a task's id, or a key derived from the
 * parent and the run's shape — so the page keeps what is open, selected and scrolled.
 */
import type { PageTask, Snapshot, TaskInfo } from './protocol.js';

export interface TreeOptions {
  /** Keys of task and group rows the reader closed (they are open by default). */
  readonly collapsed: ReadonlySet<string>;
  /** Keys of run rows the reader opened (they are closed by default). */
  readonly expandedRuns: ReadonlySet<string>;
  /** Ids of tasks on a deadlock cycle: never folded into a run, marked on their row. */
  readonly deadlocked: ReadonlySet<string>;
}

interface RowBase {
  readonly key: string;
  readonly depth: number;
  /** Whether it has rows under it to show or hide. */
  readonly expandable: boolean;
  readonly open: boolean;
}

export interface TaskRow extends RowBase {
  readonly kind: 'task';
  readonly task: PageTask;
  readonly deadlocked: boolean;
  /** Live children, in every group. */
  readonly childCount: number;
}

/** `[xN]` identical siblings. */
export interface RunRow extends RowBase {
  readonly kind: 'run';
  readonly tasks: readonly PageTask[];
}

/** A named group of a task: the `TaskGroup` its children were spawned into. */
export interface GroupRow extends RowBase {
  readonly kind: 'group';
  readonly name: string;
  readonly ownerId: string;
  readonly count: number;
}

export type TreeRow = TaskRow | RunRow | GroupRow;

interface Forest {
  readonly roots: PageTask[];
  readonly children: Map<string, PageTask[]>;
  readonly shapes: Map<string, string>;
  readonly byId: Map<string, PageTask>;
}

/**
 * Shapes are interned: equal subtrees get the same short id, and the ids last from one snapshot to
 * the next (that is what keeps an opened run open). The table is dropped past this many shapes,
 * which only closes the runs the reader opened.
 */
const MAX_SHAPES = 200_000;
const shapeIds = new Map<string, string>();
const normalized = new Map<string, string>();

function intern(key: string): string {
  let id = shapeIds.get(key);
  if (id === undefined) {
    if (shapeIds.size >= MAX_SHAPES) shapeIds.clear();
    id = shapeIds.size.toString(36);
    shapeIds.set(key, id);
  }
  return id;
}

/** `request#42` → `request##`: siblings that differ only in numbers are alike. */
function normalize(name: string): string {
  let out = normalized.get(name);
  if (out === undefined) {
    if (normalized.size >= MAX_SHAPES) normalized.clear();
    out = name.replace(DIGITS, '#');
    normalized.set(name, out);
  }
  return out;
}

const DIGITS = /\d+/g;

// The same key as waitShape in src/inspect/format-tree.ts (the page is served only src/ui's
// scripts, so it keeps its own copy): the page folds exactly the siblings pstree folds.
function waitShape(task: TaskInfo, byId: Map<string, PageTask>): string {
  const wait = task.waitingOn;
  if (wait === null) return '';
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

function buildForest(snapshot: Snapshot, deadlocked: ReadonlySet<string>): Forest {
  const byId = new Map<string, PageTask>();
  for (const task of snapshot.tasks) byId.set(task.id, task);
  const roots: PageTask[] = [];
  const children = new Map<string, PageTask[]>();
  for (const task of snapshot.tasks) {
    if (task.parentId === null || task.parentId === task.id || !byId.has(task.parentId)) roots.push(task);
    else {
      const list = children.get(task.parentId);
      if (list === undefined) children.set(task.parentId, [task]);
      else list.push(task);
    }
  }
  // Parents come before children in a snapshot: walking it backwards shapes children first.
  const shapes = new Map<string, string>();
  for (let i = snapshot.tasks.length - 1; i >= 0; i--) {
    const task = snapshot.tasks[i] as PageTask;
    let key = deadlocked.has(task.id)
      ? `deadlock:${task.id}`
      : `${normalize(task.name)}\u0000${normalize(task.group)}\u0000${task.state}\u0000${task.daemon}\u0000${waitShape(task, byId)}\u0000${task.cancelled?.kind ?? ''}\u0001`;
    const kids = children.get(task.id);
    if (kids !== undefined) for (const kid of kids) key += `${shapes.get(kid.id) as string},`;
    shapes.set(task.id, intern(key));
  }
  return { roots, children, shapes, byId };
}

/** Runs of siblings with the same shape, in order of first appearance. */
function runsOf(tasks: readonly PageTask[], shapes: Map<string, string>): PageTask[][] {
  const runs = new Map<string, PageTask[]>();
  for (const task of tasks) {
    const shape = shapes.get(task.id) as string;
    const run = runs.get(shape);
    if (run === undefined) runs.set(shape, [task]);
    else run.push(task);
  }
  return [...runs.values()];
}

function runKey(parentKey: string, first: PageTask, shapes: Map<string, string>): string {
  return `run:${parentKey}:${shapes.get(first.id) as string}`;
}

function groupKey(ownerId: string, name: string): string {
  return `group:${ownerId}:${name}`;
}

/** A task's children: its own scope's first, then each named group's (in order of first child). */
function partition(task: PageTask, kids: readonly PageTask[]): { own: PageTask[]; groups: Map<string, PageTask[]> } {
  const own: PageTask[] = [];
  const groups = new Map<string, PageTask[]>();
  for (const kid of kids) {
    if (kid.group === task.name) own.push(kid);
    else {
      const list = groups.get(kid.group);
      if (list === undefined) groups.set(kid.group, [kid]);
      else list.push(kid);
    }
  }
  return { own, groups };
}

type Work =
  | { readonly kind: 'list'; readonly tasks: readonly PageTask[]; readonly depth: number; readonly parentKey: string }
  | { readonly kind: 'task'; readonly task: PageTask; readonly depth: number }
  | { readonly kind: 'run'; readonly tasks: readonly PageTask[]; readonly depth: number; readonly key: string }
  | { readonly kind: 'group'; readonly owner: PageTask; readonly name: string; readonly tasks: readonly PageTask[]; readonly depth: number };

/** The rows to show, top to bottom. Iterative: a 100,000-deep chain does not overflow the stack. */
export function treeRows(snapshot: Snapshot, options: TreeOptions): TreeRow[] {
  const { roots, children, shapes } = buildForest(snapshot, options.deadlocked);
  const rows: TreeRow[] = [];
  const stack: Work[] = [{ kind: 'list', tasks: roots, depth: 0, parentKey: 'root' }];
  const pushAll = (items: Work[]): void => {
    for (let i = items.length - 1; i >= 0; i--) stack.push(items[i] as Work);
  };
  while (stack.length > 0) {
    const work = stack.pop() as Work;
    switch (work.kind) {
      case 'list':
        pushAll(
          runsOf(work.tasks, shapes).map((run): Work =>
            run.length === 1
              ? { kind: 'task', task: run[0] as PageTask, depth: work.depth }
              : { kind: 'run', tasks: run, depth: work.depth, key: runKey(work.parentKey, run[0] as PageTask, shapes) },
          ),
        );
        break;
      case 'run': {
        const open = options.expandedRuns.has(work.key);
        rows.push({ kind: 'run', key: work.key, depth: work.depth, expandable: true, open, tasks: work.tasks });
        if (open) pushAll(work.tasks.map((task): Work => ({ kind: 'task', task, depth: work.depth + 1 })));
        break;
      }
      case 'task': {
        const { task } = work;
        const kids = children.get(task.id) ?? [];
        const open = kids.length > 0 && !options.collapsed.has(task.id);
        rows.push({
          kind: 'task',
          key: task.id,
          depth: work.depth,
          expandable: kids.length > 0,
          open,
          task,
          deadlocked: options.deadlocked.has(task.id),
          childCount: kids.length,
        });
        if (open) {
          const { own, groups } = partition(task, kids);
          const items: Work[] = [];
          if (own.length > 0) items.push({ kind: 'list', tasks: own, depth: work.depth + 1, parentKey: task.id });
          for (const [name, tasks] of groups) items.push({ kind: 'group', owner: task, name, tasks, depth: work.depth + 1 });
          pushAll(items);
        }
        break;
      }
      case 'group': {
        const key = groupKey(work.owner.id, work.name);
        const open = !options.collapsed.has(key);
        rows.push({ kind: 'group', key, depth: work.depth, expandable: true, open, name: work.name, ownerId: work.owner.id, count: work.tasks.length });
        if (open) stack.push({ kind: 'list', tasks: work.tasks, depth: work.depth + 1, parentKey: key });
        break;
      }
    }
  }
  return rows;
}

/**
 * What to open so that task `id` shows in the tree: the task and group rows above it (to take out
 * of `collapsed`) and the runs it or its ancestors are folded into (to add to `expandedRuns`).
 */
export function revealKeys(snapshot: Snapshot, id: string, deadlocked: ReadonlySet<string>): { open: string[]; runs: string[] } {
  const { roots, children, shapes, byId } = buildForest(snapshot, deadlocked);
  const open: string[] = [];
  const runs: string[] = [];
  for (let task = byId.get(id); task !== undefined; ) {
    const parent = task.parentId === null ? undefined : byId.get(task.parentId);
    let siblings: readonly PageTask[];
    let parentKey: string;
    if (parent === undefined || parent === task) {
      siblings = roots;
      parentKey = 'root';
    } else {
      const { own, groups } = partition(parent, children.get(parent.id) ?? []);
      if (task.group === parent.name) {
        siblings = own;
        parentKey = parent.id;
      } else {
        parentKey = groupKey(parent.id, task.group);
        siblings = groups.get(task.group) ?? [];
        open.push(parentKey);
      }
      open.push(parent.id);
    }
    const run = runsOf(siblings, shapes).find((r) => r.includes(task as PageTask));
    if (run !== undefined && run.length > 1) runs.push(runKey(parentKey, run[0] as PageTask, shapes));
    task = parent === task ? undefined : parent;
  }
  return { open, runs };
}
