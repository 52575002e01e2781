// W5 — inspecting 100,000 live tasks (tasktree only; the naive tracker's Map walk is a reference).
// Shape: one group of W workers ("worker-i"), each with N/W - 1 pending children ("job-j"), all
// waiting on one gate: N live tasks with distinct sibling names, so nothing collapses.
// Results (ms, median/min/max): captureSnapshot(), formatTree(snapshot), formatTable(snapshot),
// snapshot + tree together, and the dump-signal round trip: process.kill(self, SIGUSR2) until the
// dump is fully written to stderr (the runner points stderr at a file; the library writes the dump
// synchronously, so it is complete once the file stops growing).
// Params: { system, n, workers, reps, warmup }

import { fstatSync } from 'node:fs';
import { deferred, main, now, repeat, tick, until } from '../lib/harness.js';
import { naiveSnapshot, naiveSpawn } from '../lib/naive.js';

const timeIt = (fn) => () => {
  const t0 = now();
  fn();
  return now() - t0;
};

/** kill → dump written: polls stderr's size every event-loop turn (and at least every 1 ms). */
async function dumpRoundTrip() {
  const st = fstatSync(2);
  if (!st.isFile()) throw new Error('stderr must be redirected to a file for the dump round trip');
  const before = st.size;
  const t0 = now();
  process.kill(process.pid, 'SIGUSR2');
  let size = before;
  let tLast = 0;
  let stableSince = 0;
  const deadline = t0 + 30_000;
  for (;;) {
    await tick();
    const s = fstatSync(2).size;
    const t = now();
    if (s !== size) {
      size = s;
      tLast = t;
      stableSince = t;
    } else if (size > before && t - stableSince > 100) break; // 100 ms without growth: written
    if (t > deadline) throw new Error('no dump written within 30 s of the signal');
  }
  return { ms: tLast - t0, bytes: size - before };
}

main({
  async naive(p) {
    const gate = deferred();
    let ready = 0;
    const perWorker = Math.floor(p.n / p.workers) - 1;
    const done = naiveSpawn('w5', () => {
      const ws = [];
      for (let w = 0; w < p.workers; w++) {
        ws.push(
          naiveSpawn(`worker-${w}`, () => {
            const js = [];
            for (let j = 0; j < perWorker; j++) {
              js.push(
                naiveSpawn(`job-${j}`, async () => {
                  ready++;
                  await gate.promise;
                }),
              );
            }
            return Promise.all(js);
          }),
        );
      }
      return Promise.all(ws);
    });
    await until(() => ready === p.workers * perWorker, 120_000, 'tasks to start');
    const snap = naiveSnapshot();
    const mapWalk = await repeat(p, timeIt(() => naiveSnapshot()));
    gate.resolve();
    await done;
    return { liveTasks: snap.length, mapWalkMs: mapWalk };
  },

  async tasktree(p) {
    const { TaskGroup } = await import('../../dist/src/index.js');
    const { captureSnapshot, formatTree, formatTable, installDumpSignal } = await import('../../dist/src/inspect/index.js');
    const gate = deferred();
    let ready = 0;
    const perWorker = Math.floor(p.n / p.workers) - 1;
    const done = TaskGroup.run('w5', async (group) => {
      for (let w = 0; w < p.workers; w++) {
        group.spawn(`worker-${w}`, async (worker) => {
          await TaskGroup.run(`jobs-${w}`, async (jobs) => {
            for (let j = 0; j < perWorker; j++) {
              jobs.spawn(`job-${j}`, async () => {
                ready++;
                await gate.promise;
              });
            }
          });
          return worker.name;
        });
      }
    });
    await until(() => ready === p.workers * perWorker, 120_000, 'tasks to start');
    await tick();

    const snap = captureSnapshot();
    const tree = formatTree(snap);
    const table = formatTable(snap);
    const snapshotMs = await repeat(p, timeIt(() => captureSnapshot()));
    const treeMs = await repeat(p, timeIt(() => formatTree(snap)));
    const tableMs = await repeat(p, timeIt(() => formatTable(snap)));
    const snapshotTreeMs = await repeat(p, timeIt(() => formatTree(captureSnapshot())));

    const uninstall = installDumpSignal('SIGUSR2');
    const dumps = [];
    for (let i = 0; i < Math.max(3, Math.min(p.reps, 5)); i++) dumps.push(await dumpRoundTrip());
    uninstall();
    const dumpSorted = dumps.map((d) => d.ms).sort((a, b) => a - b);

    gate.resolve();
    await done;
    return {
      liveTasks: snap.tasks.length,
      treeLines: tree.split('\n').length,
      treeBytes: Buffer.byteLength(tree),
      tableBytes: Buffer.byteLength(table),
      dumpBytes: dumps[0].bytes,
      snapshotMs,
      treeMs,
      tableMs,
      snapshotTreeMs,
      dumpMs: {
        median: dumpSorted[dumpSorted.length >> 1],
        min: dumpSorted[0],
        max: dumpSorted[dumpSorted.length - 1],
        samples: dumps.map((d) => d.ms),
      },
    };
  },
});
