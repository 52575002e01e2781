import { describeWaitTarget, formatDuration, indexTasks } from './describe.js';
import type { Snapshot } from './schema.js';

/** Options of {@link formatTable}. */
export interface FormatTableOptions {
  /** Cut cells longer than this many characters (default 48; the last column is never cut). */
  readonly maxCell?: number;
}

const HEADER = ['ID', 'NAME', 'STATE', 'AGE', 'WAITING ON', 'FOR', 'AWAITED BY', 'PATH'] as const;

/**
 * The task table as text, like `ps`: one row per live task with its id, name, state, age, what
 * it waits on and for how long, who awaits it, and its path. A pure function of the snapshot.
 *
 * @example
 * ```ts
 * import { run, spawn, sleep } from 'tasktree';
 * import { captureSnapshot, formatTable } from 'tasktree/inspect';
 * await run(async () => {
 *   spawn('worker', () => sleep(10));
 *   console.log(formatTable(captureSnapshot()));
 * });
 * ```
 */
export function formatTable(snapshot: Snapshot, options?: FormatTableOptions): string {
  const max = options?.maxCell ?? 48;
  const byId = indexTasks(snapshot);
  const rows: string[][] = [[...HEADER]];
  for (const task of snapshot.tasks) {
    const wait = task.waitingOn;
    rows.push([
      task.id,
      task.name,
      task.cancelled === null ? task.state : `${task.state}*`,
      formatDuration(task.ageMs),
      wait === null ? '-' : describeWaitTarget(wait, byId),
      wait === null ? '-' : formatDuration(wait.forMs),
      task.awaitedBy.length === 0 ? '-' : task.awaitedBy.map((id) => byId.get(id)?.name ?? id).join(', '),
      task.path,
    ]);
  }
  const last = HEADER.length - 1;
  const widths = HEADER.map(() => 0);
  for (const row of rows) {
    for (let col = 0; col < last; col++) widths[col] = Math.min(max, Math.max(widths[col] as number, (row[col] as string).length));
  }
  const out = rows.map((row) =>
    row
      .map((cell, col) => {
        if (col === last) return cell;
        const width = widths[col] as number;
        const cut = cell.length > width ? `${cell.slice(0, width - 1)}…` : cell;
        return cut.padEnd(width);
      })
      .join('  '),
  );
  const cancelled = snapshot.tasks.some((t) => t.cancelled !== null);
  if (cancelled) out.push('', '* cancellation requested; the task has not finished yet');
  return `${out.join('\n')}\n`;
}
