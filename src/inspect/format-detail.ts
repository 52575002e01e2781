/**
 * `formatTaskDetail(snapshot, id)`: everything a snapshot knows about one task, as text — what
 * `tasktree where PID TASK_ID` prints. A pure function of the snapshot.
 */
import type { FinishedInfo, Snapshot, TaskInfo, WaitInfo } from './schema.js';

const LABEL_WIDTH = 12;

function duration(ms: number): string {
  const value = Math.max(0, ms);
  if (value < 1000) return `${Math.round(value)} ms`;
  if (value < 60_000) return `${(value / 1000).toFixed(1)} s`;
  const seconds = Math.floor(value / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}

function line(label: string, value: string): string {
  return `  ${label.padEnd(LABEL_WIDTH)} ${value}`;
}

function nameOf(snapshot: Snapshot, id: string): string {
  const task = snapshot.tasks.find((t) => t.id === id) ?? snapshot.finished.findLast((t) => t.id === id);
  return task === undefined ? id : `${task.name} (${id})`;
}

function waitTarget(snapshot: Snapshot, wait: WaitInfo): string {
  switch (wait.kind) {
    case 'task':
      return wait.taskIds.length === 0 ? 'tasks' : wait.taskIds.map((id) => `task ${nameOf(snapshot, id)}`).join(', ');
    case 'group':
      return `group ${wait.group} to finish`;
    case 'sleep':
      return `sleep(${wait.ms} ms)`;
    case 'promise':
      return wait.label;
    case 'queue':
      return `a free slot in group ${wait.group} (queued)`;
  }
}

function waitText(snapshot: Snapshot, wait: WaitInfo | null): string {
  return wait === null ? '– (nothing recorded)' : `${waitTarget(snapshot, wait)} for ${duration(wait.forMs)}`;
}

function attributeText(value: string | number | boolean): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function stack(title: string, frames: readonly string[] | null): string[] {
  if (frames === null || frames.length === 0) return [];
  return [`  ${title}`, ...frames.map((frame) => `    ${frame.trim()}`)];
}

function childLine(snapshot: Snapshot, child: TaskInfo): string {
  const notes: string[] = [child.state];
  if (child.daemon) notes.push('daemon');
  if (child.waitingOn !== null) notes.push(`waiting on ${waitText(snapshot, child.waitingOn)}`);
  if (child.cancelled !== null) notes.push(`cancel requested ${duration(child.cancelled.forMs)} ago`);
  return `    ${child.name} (${child.id})  ${notes.join(', ')}`;
}

function liveDetail(snapshot: Snapshot, task: TaskInfo): string[] {
  const children = snapshot.tasks.filter((t) => t.parentId === task.id);
  const lines = [
    `${task.name} (${task.id})`,
    line('path', task.path),
    line('state', task.daemon ? `${task.state}, daemon` : task.state),
    line('parent', task.parentId === null ? '– (root task)' : nameOf(snapshot, task.parentId)),
    line('group', task.group),
    line('age', `${duration(task.ageMs)} (created ${new Date(task.createdAt).toISOString()})`),
    line('waiting on', waitText(snapshot, task.waitingOn)),
    line('awaited by', task.awaitedBy.length === 0 ? '–' : task.awaitedBy.map((id) => nameOf(snapshot, id)).join(', ')),
  ];
  if (task.cancelled !== null) {
    lines.push(line('cancelled', `${task.cancelled.kind}: ${task.cancelled.message}, ${duration(task.cancelled.forMs)} ago (still running)`));
  }
  const attributes = Object.entries(task.attributes ?? {});
  if (attributes.length > 0) {
    lines.push('  attributes');
    for (const [key, value] of attributes) lines.push(`    ${key} = ${attributeText(value)}`);
  }
  lines.push(...stack('created at', task.createdAtSite), ...stack('await site', task.awaitSite));
  if (children.length === 0) lines.push(line('children', '–'));
  else lines.push(`  children (${children.length})`, ...children.map((child) => childLine(snapshot, child)));
  return lines;
}

function finishedDetail(snapshot: Snapshot, task: FinishedInfo): string[] {
  const lines = [
    `${task.name} (${task.id}) — finished`,
    line('path', task.path),
    line('outcome', `${task.outcome} after ${duration(task.durationMs)}, ${duration(snapshot.capturedAt - task.settledAt)} ago`),
    line('parent', task.parentId === null ? '– (root task)' : nameOf(snapshot, task.parentId)),
    line('created', new Date(task.createdAt).toISOString()),
    line('settled', new Date(task.settledAt).toISOString()),
  ];
  if (task.error !== null) lines.push(line('error', task.error));
  if (task.cancelled !== null) lines.push(line('cancelled', `${task.cancelled.kind}: ${task.cancelled.message}`));
  return lines;
}

/**
 * Everything `snapshot` knows about the task with id `id`: name, path, state, parent and group,
 * age, what it is waiting on and for how long, who awaits it, its cancellation, attributes, the
 * creation and await sites (debug mode), and its children. A task that already finished is
 * described from the snapshot's history (outcome, duration, error).
 *
 * @throws RangeError when the snapshot has no task (live or finished) with that id.
 * @example
 * const snapshot = captureSnapshot();
 * console.log(formatTaskDetail(snapshot, snapshot.tasks[0].id));
 */
export function formatTaskDetail(snapshot: Snapshot, id: string): string {
  const live = snapshot.tasks.find((t) => t.id === id);
  if (live !== undefined) return liveDetail(snapshot, live).join('\n');
  const finished = snapshot.finished.findLast((t) => t.id === id);
  if (finished !== undefined) return finishedDetail(snapshot, finished).join('\n');
  throw new RangeError(`formatTaskDetail: no task with id ${JSON.stringify(id)} in the snapshot of pid ${snapshot.pid}`);
}
