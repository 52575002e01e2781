/** Text the page shows: durations, clock times, waits. Pure; the page and its tests share it. */
import type { CancelInfo, TaskInfo } from './protocol.js';

/** `850 ms`, `2.3 s`, `4 min 5 s`, `2 h 3 min` — as the CLI prints them. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const total = Math.floor(s);
  if (total < 3600) return `${Math.floor(total / 60)} min ${total % 60} s`;
  return `${Math.floor(total / 3600)} h ${Math.floor((total % 3600) / 60)} min`;
}

/** `14:03:07` in local time. */
export function formatClock(epoch: number): string {
  const d = new Date(epoch);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** `2026-12-01 14:03:07.123` in local time. */
export function formatDateTime(epoch: number): string {
  const d = new Date(epoch);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${formatClock(epoch)}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** What a wait is on, without its duration; task ids are named when `names` knows them. */
export function waitTarget(wait: NonNullable<TaskInfo['waitingOn']>, names: ReadonlyMap<string, string>): string {
  switch (wait.kind) {
    case 'task': {
      const shown = wait.taskIds.slice(0, 3).map((id) => names.get(id) ?? id);
      if (wait.taskIds.length > 3) shown.push(`+${wait.taskIds.length - 3} more`);
      return wait.taskIds.length === 1 ? `task ${shown[0]}` : `${wait.taskIds.length} tasks: ${shown.join(', ')}`;
    }
    case 'group':
      return `its children in '${wait.group}'`;
    case 'queue':
      return `a slot in '${wait.group}'`;
    case 'sleep':
      return `sleep ${wait.ms} ms`;
    case 'promise':
      return wait.label;
  }
}

/** `waiting on db.query for 2.3 s` */
export function waitText(wait: TaskInfo['waitingOn'], names: ReadonlyMap<string, string>): string {
  return wait === null ? '' : `waiting on ${waitTarget(wait, names)} for ${formatDuration(wait.forMs)}`;
}

/** What the page calls a live task's state: `queued`, `running`, `waiting`, or `cancelling`. */
export type LiveState = 'queued' | 'running' | 'waiting' | 'cancelling';

export function liveState(task: TaskInfo): LiveState {
  if (task.cancelled !== null) return 'cancelling';
  if (task.state === 'queued') return 'queued';
  return task.waitingOn === null ? 'running' : 'waiting';
}

/**
 * Who cancelled a task and why, in one line: the snapshot's message (`sibling 'fetch-user' (ab.3)
 * failed: …`), whether the task let another's cancellation through, who asked (`by main › boss
 * [ab.4]`, `by tasktree ui: "…"`), then any further fields a later snapshot format adds, so they
 * show without a change here.
 */
export function cancelText(info: CancelInfo): string {
  const parts = [info.message === '' ? info.kind : info.message];
  if (info.rethrown === true) parts.push('not its own: it let this cancellation through');
  const by = info.by ?? null;
  if (by !== null && typeof by.message === 'string') parts.push(`by ${by.message}`);
  for (const [key, value] of Object.entries(info)) {
    if (KNOWN_CANCEL_FIELDS.has(key) || (typeof value !== 'string' && typeof value !== 'number')) continue;
    parts.push(`${key}: ${String(value)}`);
  }
  return parts.join('; ');
}

const KNOWN_CANCEL_FIELDS: ReadonlySet<string> = new Set(['kind', 'message', 'forMs', 'by', 'rethrown']);

/** `key=value` text of an attribute value. */
export function attributeText(value: string | number | boolean): string {
  return typeof value === 'string' ? value : String(value);
}
