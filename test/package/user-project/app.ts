// A user's program against the published types of tasktree: the main APIs, `await using`, the
// public types, and (as `@ts-expect-error`) the internals a user must not see. Compiled by
// test/package/types.test.ts with TypeScript 5.9 and 7 (not by the project's build).
import { CancelledError, Task, TaskGroup, TaskGroupError, run, sleep, spawn, withTimeout, type RunOptions, type TaskState } from 'tasktree';
import { captureSnapshot, formatTree, type Snapshot, type TaskInfo } from 'tasktree/inspect';
import { debugReports, enableDebug, type DebugReport } from 'tasktree/debug';
import { checkNoLeaks } from 'tasktree/testing';

const options: RunOptions = { dumpSignal: 'SIGUSR2' };

const total: number = await run(async (main: Task) => {
  const a: Task<number> = spawn('a', async (task) => {
    await sleep(1, { signal: task.signal });
    return 1;
  });
  {
    await using group = new TaskGroup('workers', { concurrency: 2, cancelOnError: false });
    group.spawn('b', async () => 2);
  }
  const c = await TaskGroup.run('request#1', async (group) => (await group.spawn('c', () => 3)) + 0);
  const d = await withTimeout(100, async () => 4);
  const state: TaskState = a.state;
  const snapshot: Snapshot = captureSnapshot();
  const first: TaskInfo | undefined = snapshot.tasks[0];
  console.log(main.path, state, first?.name, formatTree(snapshot));

  // @ts-expect-error internal fields are not in the published types
  void a._seq;
  // @ts-expect-error the constructor of a task is not public: tasks come from spawn()
  void new Task();
  // @ts-expect-error TaskGroup has no constructor with more than (name, options)
  void new TaskGroup('x', {}, Symbol('implicit'), main);
  // @ts-expect-error a group's internal state is not in the published types
  void new TaskGroup('y')._failures;
  return (await a) + c + d;
}, options);

try {
  await run(() => Promise.reject(new Error('x')));
} catch (error) {
  if (error instanceof TaskGroupError) for (const failure of error.failures) console.log(failure.task?.name);
  else if (error instanceof CancelledError) console.log(error.reason);
}

enableDebug({ slowMs: 200 });
const reports: readonly DebugReport[] = debugReports();
await checkNoLeaks();
console.log(total, reports.length);
