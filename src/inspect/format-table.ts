import { describeWaitTarget, formatAttributes, formatDuration, indexTasks, plural } from './describe.js';
import { describeFilter, taskMatcher, isFilterEmpty, liveState } from './filter.js';
import type { TaskFilter } from './filter.js';
import type { Snapshot } from './schema.js';

/** Options of {@link formatTable}. */
export interface FormatTableOptions {
  /** Cut cells longer than this many characters (default 48; the last column is never cut). */
  readonly maxCell?: number;
  /** Show only the tasks that match (see {@link TaskFilter}), and say how many do. */
  readonly filter?: TaskFilter;
}

const COLUMNS = ['ID', 'NAME', 'STATE', 'AGE', 'WAITING ON', 'FOR', 'AWAITED BY', 'ATTRIBUTES', 'PATH'] as const;
const ATTRIBUTES = COLUMNS.indexOf('ATTRIBUTES');

/**
 * The task table as text, like `ps`: one row per live task with its id, name, state (`queued`,
 * `running`, or `cancelling` once its cancellation was requested), age, what it waits on and for
 * how long, who awaits it, its attributes (a column shown when some task has any), and its path.
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
      wait === null ? '-' : describeWaitTarget(wait, byId),
      wait === null ? '-' : formatDuration(wait.forMs),
      task.awaitedBy.length === 0 ? '-' : task.awaitedBy.map((id) => byId.get(id)?.name ?? id).join(', '),
      formatAttributes(task.attributes) ?? '-',
      task.path,
    ]);
  }
  const withAttributes = tasks.some((t) => formatAttributes(t.attributes) !== null);
  const shown = withAttributes ? rows : rows.map((row) => row.filter((_, col) => col !== ATTRIBUTES));
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
  return `${out.join('\n')}\n`;
}
