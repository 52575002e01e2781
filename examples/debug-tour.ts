// Debug mode's reports, one of each, in words a person can act on. Run it:
//   node --enable-source-maps dist/examples/debug-tour.js
//   TASKTREE_DEBUG=strict node --enable-source-maps dist/examples/debug-tour.js   (fails: for CI)
// (TASKTREE_DEBUG=1 does the same as the enableDebug() call below, for a whole process.)
import { enableDebug } from '../src/debug/index.js';
import { TaskGroup, run, sleep, spawn, waitFor } from '../src/index.js';

enableDebug({
  ignoredCancelMs: 200, // report a task still running 200 ms after its cancellation (default 5 s)
  unhandledRejections: 'report', // report them and carry on (default: report, then crash as Node would)
  strict: process.env.TASKTREE_DEBUG === 'strict', // fail the run on any report, for CI
});

function busyWait(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end);
}

async function saveUser(name: string): Promise<string> {
  await sleep(50);
  return name;
}

async function failLater(): Promise<void> {
  await sleep(1);
  throw new Error('upstream returned 502');
}

function startPoller(group: TaskGroup): void {
  group.spawn('poller', () => waitFor(new Promise(() => {}), 'db.query'));
}

// A group outside run() that nobody closes: its task is still alive when the process exits.
const background = new TaskGroup('background');
startPoller(background);

await run(async () => {
  // 1. Synchronous work that blocks the event loop for 300 ms.
  spawn('render', async () => {
    await sleep(10);
    busyWait(300);
  });
  // 2. A forgotten await: the task ends while the promise it created is still pending.
  spawn('save', async () => {
    saveUser('ada');
  });
  // 3. A promise created inside a task rejects, and nothing handles it.
  spawn('sync', async () => {
    failLater();
    await sleep(20);
  });
  // 4. A task that ignores its cancellation (it awaits something that does not take its signal).
  const stubborn = spawn('stubborn', () => new Promise((resolve) => setTimeout(resolve, 1000)));
  await sleep(350);
  stubborn.cancel('shutting down');
});
