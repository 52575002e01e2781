import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { CancelledError, Task } from '../core/index.js';
import { describeCancelReason, now, taskCancellation, taskRare, taskWait } from '../core/internal.js';
import { formatDuration } from '../inspect/describe.js';
import { userFrames } from './frames.js';
import { report } from './report.js';

// Tasks that keep running after their cancellation: every cancelled task is watched (through the
// `tasktree:cancel` channel) until it settles; one still running `ignoredCancelMs` after the
// cancel is reported once, while it happens. A task only waiting for its children to finish is
// not the one ignoring the cancellation: its children are reported instead.

const watched = new Set<Task>();
let timer: NodeJS.Timeout | undefined;
let thresholdMs = 5000;
let active = false;

function onCancel(message: unknown): void {
  watched.add((message as { task: Task }).task);
  if (timer === undefined) {
    timer = setInterval(check, Math.max(10, Math.min(1000, thresholdMs / 4)));
    timer.unref();
  }
}

function check(): void {
  const t = now();
  for (const task of watched) {
    const cancel = taskCancellation(task) as CancelledError;
    if (task.state !== 'running' && task.state !== 'queued') {
      watched.delete(task);
      continue;
    }
    const forMs = t - cancel._at;
    if (forMs < thresholdMs) continue;
    watched.delete(task);
    if (taskWait(task)?.kind === 'group') continue;
    const reason = describeCancelReason(cancel.reason);
    const frames = userFrames(taskRare(task)?.createdSite);
    report({
      kind: 'ignored-cancel',
      message:
        `task ${task.path} has ignored its cancellation for ${formatDuration(forMs)} (${reason}); it is still running — ` +
        `pass task.signal to what it awaits, or check it in loops${frames.length === 0 ? '' : `\n    created at ${frames.slice(0, 3).join('\n          from ')}`}`,
      task: task.path,
      taskId: task.id,
      forMs,
      reason,
      createdAt: frames.length === 0 ? null : frames,
    });
  }
  if (watched.size === 0 && timer !== undefined) {
    clearInterval(timer);
    timer = undefined;
  }
}

/** Starts watching cancelled tasks; one still running `ms` after its cancellation is reported. */
export function startCancelWatch(ms: number): void {
  thresholdMs = ms;
  if (active) return;
  active = true;
  subscribe('tasktree:cancel', onCancel);
}

export function stopCancelWatch(): void {
  if (!active) return;
  active = false;
  unsubscribe('tasktree:cancel', onCancel);
  watched.clear();
  if (timer !== undefined) clearInterval(timer);
  timer = undefined;
}
