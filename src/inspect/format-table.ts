import { describeWaitTarget, formatAttributes, formatDuration, indexTasks, plural } from './describe.js';
import { describeFilter, taskMatcher, isFilterEmpty, liveState } from './filter.js';
import type { TaskFilter } from './filter.js';
import { describeStackReason, stackNames, waitsUnseen } from './describe-stack.js';
import type { Snapshot, StackFrame, TaskInfo } from './schema.js';

/** Options of {@link formatTable}. */
export interface FormatTableOptions {
  /** Cut cells longer than this many characters (default 48; the last column is never cut). */
  readonly maxCell?: number;
  /** Show only the tasks that match (see {@link TaskFilter}), and say how many do. */
  readonly filter?: TaskFilter;
  /**
   * Where a running task waits on nothing tasktree saw and the snapshot has no stacks, say how to
   * see where it is: `? (HINT)` (the CLI passes `--stacks`). Default: `-`, as for any task without a wait.
   */
  readonly unseenHint?: string;
}

const COLUMNS = ['ID', 'NAME', 'STATE', 'AGE', 'WAITING ON', 'FOR', 'AWAITED BY', 'ATTRIBUTES', 'PATH', 'STACK'] as const;
const ATTRIBUTES = COLUMNS.indexOf('ATTRIBUTES');
const STACK = COLUMNS.indexOf('STACK');

/** A stack innermost first, as Python's `ps` shows a coroutine stack; branches in braces. */
function stackCell(task: TaskInfo): string {
  const frames = task.stack ?? [];
  if (frames.length === 0) return task.stackReason === null || task.stackReason === undefined ? '-' : `(${task.stackReason})`;
  const branches = (frames[0] as StackFrame).awaits?.branches;
  const inner = branches === undefined ? '' : `{${branches.map((b) => (b.length === 0 ? 'a promise' : stackNames(b))).join(' | ')}} ← `;
  const reason = task.stackReason === null || task.stackReason === undefined ? '' : ` (${task.stackReason})`;
  return `${inner}${stackNames(frames)}${reason}`;
}

/**
 * The task table as text, like `ps`: one row per live task with its id, name, state (`queued`,
 * `running`, or `cancelling` once its cancellation was requested), age, what it waits on and for
 * how long, who awaits it, its attributes (a column shown when some task has any), its path, and,
 * when the snapshot has stacks, its stack (`helperB ← helperA ← handler`, innermost first).
 * A pure function of the snapshot.
 *
 * @example
 * ```ts
 * import { run, spawn, sleep } from 'tasktree';
 * import { captureSnapshot, formatTable } from 'tasktree/inspect';
 * await run(async () => {
 *   spawn('worker', () => sleep(10), { attributes: { job: 'resize' } });
 *   console.log(formatTable(captureSnapshot()));
 *   console.log(formatTable(captureSnapshot(), { filter: { name: 'work*' } }));
 * });
 * ```
 */
export function formatTable(snapshot: Snapshot, options?: FormatTableOptions): string {
  const max = options?.maxCell ?? 48;
  const filter = options?.filter;
  const filtered = !isFilterEmpty(filter);
  const matches = taskMatcher(filter);
  const tasks = filtered ? snapshot.tasks.filter(matches) : snapshot.tasks;
  const summary = filtered ? `${tasks.length} of ${plural(snapshot.tasks.length, 'live task')} match ${describeFilter(filter)}` : null;
  if (tasks.length === 0) return summary === null ? '(no live tasks)\n' : `${summary}\n`;

  const byId = indexTasks(snapshot);
  const rows: string[][] = [[...COLUMNS]];
  for (const task of tasks) {
    const wait = task.waitingOn;
    rows.push([
      task.id,
      task.name,
      liveState(task),
      formatDuration(task.ageMs),
      wait !== null ? describeWaitTarget(wait, byId) : options?.unseenHint !== undefined && waitsUnseen(task) ? `? (${options.unseenHint})` : '-',
      wait === null ? '-' : formatDuration(wait.forMs),
      task.awaitedBy.length === 0 ? '-' : task.awaitedBy.map((id) => byId.get(id)?.name ?? id).join(', '),
      formatAttributes(task.attributes) ?? '-',
      task.path,
      stackCell(task),
    ]);
  }
  const withAttributes = tasks.some((t) => formatAttributes(t.attributes) !== null);
  const withStacks = tasks.some((t) => (t.stack ?? null) !== null);
  const shown = rows.map((row) => row.filter((_, col) => (col !== ATTRIBUTES || withAttributes) && (col !== STACK || withStacks)));
  const last = (shown[0] as string[]).length - 1;
  const widths = (shown[0] as string[]).map(() => 0);
  for (const row of shown) {
    for (let col = 0; col < last; col++) widths[col] = Math.min(max, Math.max(widths[col] as number, (row[col] as string).length));
  }
  const out = shown.map((row) =>
    row
      .map((cell, col) => {
        if (col === last) return cell;
        const width = widths[col] as number;
        const cut = cell.length > width ? `${cell.slice(0, width - 1)}…` : cell;
        return cut.padEnd(width);
      })
      .join('  '),
  );
  if (summary !== null) out.push('', summary);
  // What the reasons in the STACK column mean (queued needs no word: its state says it).
  const reasons = new Set<NonNullable<TaskInfo['stackReason']>>();
  for (const task of tasks) if (task.stackReason !== null && task.stackReason !== undefined && task.stackReason !== 'queued') reasons.add(task.stackReason);
  if (reasons.size > 0) out.push('', ...[...reasons].map((reason) => `(${reason}) ${describeStackReason(reason)}`));
  return `${out.join('\n')}\n`;
}
