/**
 * `formatTaskDetail(snapshot, id)`: everything a snapshot knows about one task, as text — what
 * `tasktree where PID TASK` prints. A pure function of the snapshot.
 */
import { describeWaitTarget, formatDuration, indexTasks, taskLabel } from './describe.js';
import { describeStackReason, frameLocation } from './describe-stack.js';
import { liveState } from './filter.js';
import type { CancelInfo, FinishedInfo, Snapshot, StackFrame, TaskInfo, WaitInfo } from './schema.js';

const LABEL_WIDTH = 12;

function line(label: string, value: string): string {
  return `  ${label.padEnd(LABEL_WIDTH)} ${value}`;
}

/** `name [id]`, like the tree; finished tasks are looked up in the history. */
function label(snapshot: Snapshot, byId: Map<string, TaskInfo>, id: string): string {
  if (byId.has(id)) return taskLabel(id, byId);
  const finished = snapshot.finished.findLast((t) => t.id === id);
  return finished === undefined ? `[${id}]` : `${finished.name} [${id}] (finished)`;
}

function waitText(snapshot: Snapshot, byId: Map<string, TaskInfo>, wait: WaitInfo | null, unseen = '– (nothing recorded)'): string {
  if (wait === null) return unseen;
  // Unlike the tree, the detail names every awaited task.
  const target =
    wait.kind === 'task' && wait.taskIds.length > 1 && wait.below === undefined
      ? `${wait.taskIds.length} tasks: ${wait.taskIds.map((id) => label(snapshot, byId, id)).join(', ')}`
      : describeWaitTarget(wait, byId);
  return `${target} for ${formatDuration(wait.forMs)}`;
}

function attributeText(value: string | number | boolean): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function stack(title: string, frames: readonly string[] | null): string[] {
  if (frames === null || frames.length === 0) return [];
  return [`  ${title}`, ...frames.map((frame) => `    ${frame.trim()}`)];
}

/** The stack, innermost first, each frame `fn (file:line:col)`; branches indented under the frame awaiting them. */
function suspendedAt(task: TaskInfo, byId: Map<string, TaskInfo>): string[] {
  const frames = task.stack ?? null;
  if (frames === null) return [];
  const reason = task.stackReason ?? null;
  const out = ['  suspended at'];
  // A combinator over just the tasks it awaits (no async function in its branches) names them.
  const awaited = task.waitingOn?.kind === 'task' ? task.waitingOn.taskIds : [];
  const ofTasks = (frame: StackFrame): boolean =>
    frame === frames[0] && awaited.length > 0 && frame.awaits?.branches.length === awaited.length && frame.awaits.branches.every((b) => b.length === 0);
  const put = (list: readonly StackFrame[], indent: string): void => {
    for (const frame of list) {
      out.push(`${indent}${frame.fn} (${frameLocation(frame, true)})`);
      if (ofTasks(frame)) out.push(`${indent}  ${frame.awaits?.combinator} of ${awaited.map((id) => taskLabel(id, byId)).join(', ')}`);
      else if (frame.awaits !== undefined) {
        frame.awaits.branches.forEach((branch, k) => {
          out.push(`${indent}  ${frame.awaits?.combinator} #${k}:${branch.length === 0 ? ' a promise (no async function)' : ''}`);
          put(branch, `${indent}    `);
        });
      }
    }
  };
  put(frames, '    ');
  if (reason !== null) out.push(`    (${describeStackReason(reason)})`);
  return out;
}

/** Who asked for the cancellation, and (debug mode) where `cancel()` was called. */
function cancelledBy(info: CancelInfo): string[] {
  const by = info.by ?? null;
  if (by === null) return info.by === null ? [line('by', '– (not recorded: a CancelledError the code made itself)')] : [];
  return [line('by', `${by.message} (${by.source})`), ...stack(by.source === 'abort-signal' ? 'aborted at' : 'cancel() at', by.site)];
}

function childLine(snapshot: Snapshot, byId: Map<string, TaskInfo>, child: TaskInfo): string {
  const notes: string[] = [liveState(child)];
  if (child.daemon) notes.push('daemon');
  if (child.waitingOn !== null) notes.push(`waiting on ${waitText(snapshot, byId, child.waitingOn)}`);
  if (child.cancelled !== null) notes.push(`cancel requested ${formatDuration(child.cancelled.forMs)} ago`);
  return `    ${taskLabel(child.id, byId)}  ${notes.join(', ')}`;
}

function liveDetail(snapshot: Snapshot, task: TaskInfo): string[] {
  const byId = indexTasks(snapshot);
  const children = snapshot.tasks.filter((t) => t.parentId === task.id);
  const lines = [
    taskLabel(task.id, byId),
    line('path', task.path),
    line('state', task.daemon ? `${liveState(task)}, daemon` : liveState(task)),
    line('parent', task.parentId === null ? '– (root task)' : label(snapshot, byId, task.parentId)),
    line('group', task.group),
    line('age', `${formatDuration(task.ageMs)} (created ${new Date(task.createdAt).toISOString()})`),
    line('waiting on', waitText(snapshot, byId, task.waitingOn, (task.stack ?? null) !== null ? '– (nothing tasktree saw: see where it is suspended below)' : '– (nothing tasktree saw; `tasktree where` without --no-stacks shows where it is suspended)')),
    line('awaited by', task.awaitedBy.length === 0 ? '–' : task.awaitedBy.map((id) => label(snapshot, byId, id)).join(', ')),
  ];
  if (task.cancelled !== null) {
    lines.push(line('cancelled', `${task.cancelled.kind}: ${task.cancelled.message}, ${formatDuration(task.cancelled.forMs)} ago (still running)`));
    lines.push(...cancelledBy(task.cancelled));
  }
  if (task.traceId !== undefined) lines.push(line('trace', `${task.traceId}  span ${task.spanId ?? '–'}`));
  const attributes = Object.entries(task.attributes ?? {});
  if (attributes.length > 0) {
    lines.push('  attributes');
    for (const [key, value] of attributes) lines.push(`    ${key} = ${attributeText(value)}`);
  }
  lines.push(...suspendedAt(task, byId), ...stack('created at', task.createdAtSite), ...stack('await site', task.awaitSite));
  if (children.length === 0) lines.push(line('children', '–'));
  else lines.push(`  children (${children.length})`, ...children.map((child) => childLine(snapshot, byId, child)));
  return lines;
}

function finishedDetail(snapshot: Snapshot, task: FinishedInfo): string[] {
  const byId = indexTasks(snapshot);
  const lines = [
    `${task.name} [${task.id}] — finished`,
    line('path', task.path),
    line('outcome', `${task.outcome} after ${formatDuration(task.durationMs)}, ${formatDuration(snapshot.capturedAt - task.settledAt)} ago`),
    line('parent', task.parentId === null ? '– (root task)' : label(snapshot, byId, task.parentId)),
    line('created', new Date(task.createdAt).toISOString()),
    line('settled', new Date(task.settledAt).toISOString()),
  ];
  if (task.error !== null) lines.push(line('error', task.error));
  if (task.cancelled !== null) {
    const rethrown = task.cancelled.rethrown === true ? ' (not its own: its function let this cancellation through)' : '';
    lines.push(line('cancelled', `${task.cancelled.kind}: ${task.cancelled.message}${rethrown}`), ...cancelledBy(task.cancelled));
  }
  if (task.traceId !== undefined) lines.push(line('trace', `${task.traceId}  span ${task.spanId ?? '–'}`));
  return lines;
}

/**
 * Everything `snapshot` knows about the task with id `id`: name, path, state, parent and group,
 * age, what it is waiting on and for how long, who awaits it, its cancellation and who asked for it
 * (in debug mode, where `cancel()` was called), its OpenTelemetry trace and span ids (while
 * tasktree/otel is installed), attributes, where
 * it is suspended (when the snapshot has stacks: every frame with `file:line:col`), the creation
 * and await sites (debug mode), and its children. A task that already finished is
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
