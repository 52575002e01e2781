import type { Task } from '../core/index.js';
import { liveTasks } from '../core/internal.js';
import { formatTree } from '../inspect/format-tree.js';
import { captureSnapshot } from '../inspect/snapshot.js';
import { describeLiveTasks, formatLeakedTasks } from '../debug/leaks.js';
import type { LeakedTask } from '../debug/reports.js';

/**
 * A test left tasks running. `tasks` names each (path, state, what it waits on, and its creation
 * site when debug mode was on at spawn). Thrown by {@link checkNoLeaks} and the test hooks.
 */
export class TaskLeakError extends Error {
  override name = 'TaskLeakError';
  /** The tasks left behind. */
  readonly tasks: readonly LeakedTask[];
  constructor(what: string, tasks: readonly LeakedTask[], cancelled: boolean) {
    const count = tasks.length === 1 ? '1 task' : `${tasks.length} tasks`;
    super(
      `${what} left ${count} running:${formatLeakedTasks(tasks)}\n` +
        `${cancelled ? 'They were cancelled. ' : ''}Await every task before the test ends (run(), TaskGroup.run, ` +
        '`await using`), or cancel it.' +
        (tasks.some((t) => t.createdAt !== null) ? '' : ' Run with TASKTREE_DEBUG=1 to see where each was created.'),
    );
    this.tasks = tasks;
  }
}

/** Options of {@link checkNoLeaks}. */
export interface CheckNoLeaksOptions {
  /**
   * Only tasks *not* in this set count (pass `snapshotLiveTasks()` taken when the test began);
   * default: every live task.
   */
  readonly ignore?: ReadonlySet<Task> | WeakSet<Task>;
  /** How long tasks may take to settle after the test (e.g. after a cancel). Default `100` ms. */
  readonly graceMs?: number;
  /** Cancel the tasks left behind, so they do not run into the next test. Default `true`. */
  readonly cancel?: boolean;
  /** What to call the code under test in the message. Default `'the test'`. */
  readonly what?: string;
}

/** The tasks alive now, to pass as `ignore` to {@link checkNoLeaks} later. */
export function snapshotLiveTasks(): WeakSet<Task> {
  return new WeakSet(liveTasks());
}

/**
 * Resolves if no task is left running (apart from those in `ignore`), once they have had
 * `graceMs` to settle; else cancels them (unless `cancel: false`) and rejects with a
 * {@link TaskLeakError} naming them.
 *
 * @example
 * ```ts
 * import { test } from 'node:test';
 * import { TaskGroup, sleep } from 'tasktree';
 * import { checkNoLeaks } from 'tasktree/testing';
 * test('the poller stops', async () => {
 *   const pollers = new TaskGroup('pollers');
 *   pollers.spawn('poller', () => sleep(10));
 *   await pollers[Symbol.asyncDispose]();
 *   await checkNoLeaks(); // rejects with a TaskLeakError naming any task left running
 * });
 * ```
 */
export async function checkNoLeaks(options?: CheckNoLeaksOptions): Promise<void> {
  const ignore = options?.ignore;
  const left = (): Task[] => liveTasks().filter((t) => ignore === undefined || !ignore.has(t));
  const deadline = performance.now() + (options?.graceMs ?? 100);
  let tasks = left();
  while (tasks.length > 0 && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    tasks = left();
  }
  if (tasks.length === 0) return;
  const wanted = new Set(tasks);
  const described = describeLiveTasks((t) => wanted.has(t));
  const cancel = options?.cancel !== false;
  if (cancel) for (const task of tasks) if (task.parent === undefined || !wanted.has(task.parent)) task.cancel(new Error('left running by a test'));
  throw new TaskLeakError(options?.what ?? 'the test', described, cancel);
}

/** @internal The whole task tree of the process, with a header line: what a hung test prints. */
export function treeText(header: string): string {
  return `${header}\n${formatTree(captureSnapshot())}`;
}
