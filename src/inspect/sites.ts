import type { Task } from '../core/index.js';
import { isLibraryFrame, taskRare, taskWait } from '../core/internal.js';

export { isLibraryFrame };

const cwdUrl = `file://${process.cwd()}/`;
const cwdPath = `${process.cwd()}/`;

/**
 * The user frames of a captured site (an object `Error.captureStackTrace` filled), innermost
 * first, as `fn (file:line:col)` with paths relative to the working directory; `null` if none.
 */
export function siteLines(site: { stack?: string } | undefined): readonly string[] | null {
  const stack = site?.stack;
  if (stack === undefined) return null;
  const lines: string[] = [];
  for (const line of stack.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('at ') || isLibraryFrame(trimmed)) continue;
    lines.push(trimmed.slice(3).replaceAll(cwdUrl, '').replaceAll(cwdPath, ''));
  }
  return lines.length === 0 ? null : Object.freeze(lines);
}

/**
 * Debug mode's await site of `task`, while the wait on tasks it began is still the task's current
 * wait: once that wait is over (the awaited task settled, or the task began another wait), where
 * it awaited is no longer where it is, and nothing is shown.
 */
export function currentAwaitSite(task: Task): readonly string[] | null {
  const site = taskRare(task)?.awaitSite;
  if (site === undefined) return null;
  const wait = taskWait(task);
  return wait?.kind === 'task' && wait.since === site.since ? siteLines(site) : null;
}
