import type { Task } from '../core/index.js';
import { liveTasks } from '../core/internal.js';
import { describeWait, formatDuration, indexTasks } from '../inspect/describe.js';
import { captureSnapshot } from '../inspect/snapshot.js';
import type { LeakReport, LeakedTask } from './reports.js';

/** The live tasks that `keep` accepts, described from a fresh snapshot. */
export function describeLiveTasks(keep: (task: Task) => boolean): LeakedTask[] {
  const wanted = new Set<string>();
  for (const task of liveTasks()) if (keep(task)) wanted.add(task.id);
  if (wanted.size === 0) return [];
  const snapshot = captureSnapshot();
  const byId = indexTasks(snapshot);
  return snapshot.tasks
    .filter((t) => wanted.has(t.id))
    .map((t) =>
      Object.freeze({
        id: t.id,
        path: t.path,
        state: `${t.state} for ${formatDuration(t.ageMs)}${t.cancelled === null ? '' : `, cancelled ${formatDuration(t.cancelled.forMs)} ago`}`,
        waitingOn: t.waitingOn === null ? null : describeWait(t.waitingOn, byId),
        createdAt: t.createdAtSite,
      }),
    );
}

/**
 * One line per task, its creation site below it:
 * ```
 *   main › poller [x1y2z3.4] running for 1.2 s, waiting on sleep 60000 ms for 1.2 s
 *       created at startPoller (src/poller.ts:12:3)
 *               from main (src/main.ts:20:5)
 * ```
 */
export function formatLeakedTasks(tasks: readonly LeakedTask[]): string {
  let text = '';
  for (const t of tasks) {
    text += `\n  ${t.path} [${t.id}] ${t.state}${t.waitingOn === null ? '' : `, ${t.waitingOn}`}`;
    const frames = t.createdAt ?? [];
    frames.slice(0, 4).forEach((frame, i) => {
      text += i === 0 ? `\n      created at ${frame}` : `\n              from ${frame}`;
    });
  }
  return text;
}

/** The report of tasks alive at a run's end or at exit. */
export function leakReport(tasks: readonly LeakedTask[], when: 'run-end' | 'exit', runName?: string): LeakReport {
  const count = tasks.length === 1 ? '1 task' : `${tasks.length} tasks`;
  const head = when === 'exit' ? `${count} still alive at process exit:` : `run '${runName ?? 'main'}' ended with ${count} it started still alive:`;
  const hint = tasks.some((t) => t.createdAt !== null) ? '' : '\n  (creation sites are recorded for tasks spawned while debug mode is on)';
  return Object.freeze({ kind: 'leak', message: `${head}${formatLeakedTasks(tasks)}${hint}`, when, tasks: Object.freeze(tasks) });
}
