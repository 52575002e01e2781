import type { Task, TaskGroup } from '../core/index.js';
import { hooks, taskRare } from '../core/internal.js';
import { plural } from '../inspect/describe.js';
import { userFrames } from './frames.js';
import { report } from './report.js';

// A group left open: `new TaskGroup('background')` created in a task's function and never closed
// (no `await using`, not `TaskGroup.run`). When the function ends, the task waits for the group's
// tasks before it settles — and so does `run()`, for as long as they run: reported at once, with
// the group's live tasks and where the task was created.

function onOpenGroup(task: Task, group: TaskGroup): void {
  const tasks = group.tasks;
  const names = tasks.slice(0, 5).map((t) => t.name);
  const more = tasks.length > names.length ? `, … (${tasks.length - names.length} more)` : '';
  const frames = userFrames(taskRare(task)?.createdSite);
  report({
    kind: 'open-group',
    message:
      `task ${task.path} returned, leaving group '${group.name}' open with ${plural(tasks.length, 'live task')} ` +
      `(${names.join(', ')}${more}); it waits for them before it settles. Close the group where it ends ` +
      `(\`await using group = new TaskGroup(…)\`, or TaskGroup.run), spawn its long-lived tasks with { daemon: true }, ` +
      `or cancel it${frames.length === 0 ? '' : `\n    task created at ${frames.slice(0, 3).join('\n          from ')}`}`,
    task: task.path,
    taskId: task.id,
    group: group.name,
    tasks: tasks.map((t) => t.path),
    createdAt: frames.length === 0 ? null : frames,
  });
}

/** Reports every group a task's function leaves open with live tasks. */
export function installOpenGroupHook(): void {
  hooks.openGroup = onOpenGroup;
}

export function removeOpenGroupHook(): void {
  if (hooks.openGroup === onOpenGroup) hooks.openGroup = undefined;
}
