/** Stacks in words: the pieces `formatTree`, `formatTable` and `formatTaskDetail` show of a task's `stack`. */
import type { StackFrame, StackReason, TaskInfo } from './schema.js';

/** `service.ts:14`, or `service.ts:14:11` with `column`; `(moved on)` without a line. */
export function frameLocation(frame: StackFrame, column = false): string {
  if (frame.line === null) return frame.file === null ? '(moved on)' : `${frame.file} (moved on)`;
  const at = column && frame.column !== null ? `${frame.line}:${frame.column}` : `${frame.line}`;
  return frame.file === null ? `line ${at}` : `${frame.file}:${at}`;
}

/** `helperB ← helperA ← handler`: a stack innermost first, as Python's `ps` shows a coroutine stack. */
export function stackNames(frames: readonly StackFrame[]): string {
  return frames.map((frame) => frame.fn).join(' ← ');
}

/** Why a stack is empty or incomplete, in a few words. */
export function describeStackReason(reason: StackReason): string {
  switch (reason) {
    case 'queued':
      return 'queued: its function has not started';
    case 'starting':
      return 'starting: its function is about to be called';
    case 'joining':
      return 'its function has returned; it waits for its children';
    case 'no-async-frame':
      return 'no async function of it is suspended: it waits on a plain promise (a timer, native code, a new Promise)';
    case 'never-settles':
      return 'it awaits a promise that can never settle: nothing can resolve it any more';
    case 'moved-on':
      return 'it moved on while the stacks were taken';
    case 'not-found':
      return 'the heap did not show what it waits on';
  }
}

/** Whether a task is running with no wait tasktree saw and no stack asked for: where it is, only `--stacks` can tell. */
export function waitsUnseen(task: TaskInfo): boolean {
  return task.state === 'running' && task.waitingOn === null && (task.stack ?? null) === null;
}
