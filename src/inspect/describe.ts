import type { CancelInfo, Snapshot, TaskInfo, WaitInfo } from './schema.js';

/** `850 ms`, `2.3 s`, `4 min 5 s`, `2 h 3 min` */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const total = Math.floor(s);
  if (total < 3600) return `${Math.floor(total / 60)} min ${total % 60} s`;
  return `${Math.floor(total / 3600)} h ${Math.floor((total % 3600) / 60)} min`;
}

/** @internal Looks tasks up by id. */
export function indexTasks(snapshot: Snapshot): Map<string, TaskInfo> {
  const byId = new Map<string, TaskInfo>();
  for (const task of snapshot.tasks) byId.set(task.id, task);
  return byId;
}

/** @internal `fetch-user [ab12cd.3]`, or just the id of a task no longer in the snapshot. */
export function taskLabel(id: string, byId: Map<string, TaskInfo>): string {
  const task = byId.get(id);
  return task === undefined ? `[${id}]` : `${task.name} [${id}]`;
}

/** @internal What the wait is, without its duration: `fetch-user [ab12cd.3]`, `sleep 1000 ms`, … */
export function describeWaitTarget(wait: WaitInfo, byId: Map<string, TaskInfo>): string {
  switch (wait.kind) {
    case 'task': {
      const shown = wait.taskIds.slice(0, 3).map((id) => taskLabel(id, byId));
      if (wait.taskIds.length > 3) shown.push(`+${wait.taskIds.length - 3} more`);
      const tasks = wait.taskIds.length === 1 ? `task ${shown[0]}` : `${wait.taskIds.length} tasks: ${shown.join(', ')}`;
      return wait.below === undefined ? tasks : `fewer than ${wait.below.n} tasks in '${wait.below.group}' (${tasks})`;
    }
    case 'group':
      return `group '${wait.group}'`;
    case 'sleep':
      return `sleep ${wait.ms} ms`;
    case 'promise':
      return wait.label;
    case 'queue':
      return `a slot in '${wait.group}'`;
  }
}

/** @internal `waiting on task fetch-user [ab12cd.3] for 1.2 s` */
export function describeWait(wait: WaitInfo, byId: Map<string, TaskInfo>): string {
  return `waiting on ${describeWaitTarget(wait, byId)} for ${formatDuration(wait.forMs)}`;
}

/** @internal `1 live task`, `2 live tasks`: `count` and `noun`, plural unless the count is 1. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** @internal Attribute values longer than this are cut with `…` in tables and trees (`where` shows them whole). */
export const MAX_ATTRIBUTE_VALUE = 40;

/** @internal One attribute value as text: numbers and booleans as they are, strings bare unless that would be ambiguous. */
export function attributeValue(value: string | number | boolean, max = MAX_ATTRIBUTE_VALUE): string {
  if (typeof value !== 'string') return String(value);
  const text = value === '' || /[\s,{}="]/.test(value) ? JSON.stringify(value) : value;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** @internal `route=/users, method=GET`, or null when the task has no attributes. */
export function formatAttributes(attributes: TaskInfo['attributes'], max = MAX_ATTRIBUTE_VALUE): string | null {
  if (attributes === null) return null;
  const entries = Object.entries(attributes);
  if (entries.length === 0) return null;
  return entries.map(([key, value]) => `${key}=${attributeValue(value, max)}`).join(', ');
}

/** Sources a cancellation's own message does not name: only `by` says who asked. */
const UNNAMED_SOURCES: ReadonlySet<string> = new Set(['task', 'outside', 'cli', 'ui', 'process-signal', 'abort-signal']);

/**
 * @internal `, by main › boss [ab.4]` — who asked for a cancellation, for one-line views, when its message
 * does not already say it (a failed sibling, a timeout name themselves); `''` otherwise.
 */
export function describeCancelledBy(info: CancelInfo): string {
  const by = info.by ?? null;
  if (by === null || !UNNAMED_SOURCES.has(by.source)) return '';
  return `, by ${by.message}`;
}
