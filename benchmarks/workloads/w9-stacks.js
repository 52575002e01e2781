// W9 — taking every task's stack (`captureSnapshot({ stacks: true })`): what it costs the process.
// Shape: N tasks suspended three async functions deep (task → loadUser → fetchRow → a pending
// promise of its own), a quarter of them in a `Promise.all` of two helpers; optionally a ballast of
// plain objects making the heap bigger (ballastNodes ≈ heap-snapshot nodes it adds, or ballastMB:
// as many as make the heap that many MiB bigger).
// Per repetition: the wall time of one probe, the longest and total stop of the main thread as an
// independent 1 ms timer sees it (and as the library reports it), and the CPU time the main thread
// itself used meanwhile (Linux: /proc/self/task/PID/schedstat; less sensitive than wall time to
// other processes on the machine, which make every stop longer). Two floors, measured in the same
// process on the same heap, from a worker thread's inspector session like the probe's: the bare
// snapshot (`HeapProfiler.takeHeapSnapshot` alone, its chunks read and dropped: no parse, no
// analysis, no queries, no walks) and the design's floor (one `Runtime.queryObjects` of every
// object, then the snapshot: the two stops no probe of this design avoids — each is a full garbage
// collection and a walk of the heap in V8). Also: a then-chain's speed before the first probe and
// after the last (V8's promise fast paths intact), and how many frames got a line.
// Params: { system, n, ballastNodes?, ballastMB?, reps, warmup, floor?, floorReps? }

import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { deferred, gc, heapUsed, main, now, stats, tick, until } from '../lib/harness.js';

/** CPU time used by the main thread so far (ms), or NaN where the kernel does not say. */
function mainThreadCpuMs() {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return Number.NaN;
  }
}

/** Gaps of a 1 ms timer longer than 2 ms, while `work` runs: the stops of the main thread. */
async function stopsDuring(work) {
  let last = now();
  let longest = 0;
  let total = 0;
  const note = () => {
    const t = now();
    const gap = t - last - 1;
    last = t;
    if (gap > 2) {
      longest = Math.max(longest, gap);
      total += gap;
    }
  };
  const timer = setInterval(note, 1);
  const cpu0 = mainThreadCpuMs();
  const t0 = now();
  const result = await work();
  const ms = now() - t0;
  const cpuMs = mainThreadCpuMs() - cpu0;
  note();
  clearInterval(timer);
  return { ms, longest, total, cpuMs, result };
}

const FLOOR_WORKER = `
const { parentPort } = require('node:worker_threads');
const { Session } = require('node:inspector');
const keep = setInterval(() => {}, 1 << 30);
parentPort.on('message', async (m) => {
  // Ends itself when told (see src/inspect/stacks/probe-worker.ts: a thread torn down right after
  // its inspector session disconnected can abort the process).
  if (m === 'done') { clearInterval(keep); parentPort.close(); return; }
  const session = new Session();
  session.connectToMainThread();
  const post = (method, params = {}) => new Promise((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r))));
  try {
    if (m === 'query') {
      // What the probe's heap query does, less its split of the result (see probe-worker.ts).
      const { result } = await post('Runtime.evaluate', { expression: 'Object.prototype', objectGroup: 'w9', silent: true });
      await post('Runtime.queryObjects', { prototypeObjectId: result.objectId, objectGroup: 'w9' });
      await post('Runtime.releaseObjectGroup', { objectGroup: 'w9' });
    }
    let bytes = 0;
    session.on('HeapProfiler.addHeapSnapshotChunk', (m) => { bytes += m.params.chunk.length; });
    await post('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    session.disconnect();
    parentPort.postMessage({ bytes });
  } catch (error) {
    session.disconnect();
    parentPort.postMessage({ error: error.message });
  }
});`;

/** One bare heap snapshot (or, with `query`, a heap query then a snapshot), streamed to a worker that only counts its bytes. */
function bareSnapshot(query = false) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(FLOOR_WORKER, { eval: true });
    worker.once('online', () => worker.postMessage(query ? 'query' : 'go'));
    worker.once('message', (m) => {
      worker.postMessage('done');
      if (m.error) reject(new Error(m.error));
      else resolve(m.bytes);
    });
    worker.once('error', reject);
  });
}

/** A then-chain of 100,000 steps, median of 5 (ms). */
async function thenChain() {
  const samples = [];
  for (let r = 0; r < 5; r++) {
    const t0 = now();
    let p = Promise.resolve(0);
    for (let i = 0; i < 100_000; i++) p = p.then((x) => x + 1);
    await p;
    samples.push(now() - t0);
  }
  samples.sort((a, b) => a - b);
  return samples[2];
}

async function fetchRow(gate) {
  await gate;
}
async function loadUser(gate) {
  await fetchRow(gate);
}

main({
  async tasktree(p) {
    const { TaskGroup } = await import('../../dist/src/index.js');
    const { captureSnapshot } = await import('../../dist/src/inspect/index.js');
    const ballast = [];
    for (let i = 0; i < (p.ballastNodes ?? 0) / 2; i++) ballast.push({ i, list: [i] });
    if (p.ballastMB) {
      // Plain objects until the heap (after gc()) has grown by ballastMB MiB.
      gc();
      const goal = heapUsed() + p.ballastMB * 1048576;
      for (let i = 0; heapUsed() < goal; i++) for (let j = 0; j < 10_000; j++) ballast.push({ i: j, list: [j] });
    }
    globalThis.__w9Ballast = ballast;

    const release = deferred();
    let started = 0;
    const resolvers = [];
    const gateOf = () => new Promise((resolve) => resolvers.push(resolve));
    const done = TaskGroup.run('w9', async (group) => {
      for (let i = 0; i < p.n; i++) {
        group.spawn(`request-${i}`, async () => {
          started++;
          if (i % 4 === 3) await Promise.all([loadUser(gateOf()), fetchRow(gateOf())]);
          else await loadUser(gateOf());
        });
      }
      await release.promise;
    });
    await until(() => started === p.n, 300_000, 'tasks to start');
    await tick();

    const before = await thenChain();
    const runs = [];
    let frames = 0;
    let withLine = 0;
    let heapNodes = 0;
    let reported = [];
    for (let r = 0; r < (p.warmup ?? 1) + (p.reps ?? 5); r++) {
      const { ms, longest, total, cpuMs, result } = await stopsDuring(() => captureSnapshot({ stacks: true, force: true }));
      if (r < (p.warmup ?? 1)) continue;
      runs.push({ ms, longest, total, cpuMs });
      reported.push(result.stacks);
      heapNodes = result.stacks.heapNodes;
      frames = 0;
      withLine = 0;
      for (const task of result.tasks) {
        for (const frame of task.stack ?? []) {
          frames++;
          if (frame.line !== null) withLine++;
          for (const branch of frame.awaits?.branches ?? []) for (const f of branch) (frames++, f.line !== null && withLine++);
        }
      }
    }
    const after = await thenChain();
    const floors = [];
    const designFloors = [];
    if (p.floor !== false) {
      for (let r = 0; r < (p.floorReps ?? 3); r++) {
        floors.push(await stopsDuring(() => bareSnapshot(false)));
        designFloors.push(await stopsDuring(() => bareSnapshot(true)));
      }
    }

    for (const resolve of resolvers) resolve();
    release.resolve();
    await done;
    return {
      liveTasks: p.n + 1,
      heapNodes,
      heapMB: Math.round(reported[0].heapBytes / 1048576),
      totalMs: stats(runs.map((x) => x.ms)),
      longestStopMs: stats(runs.map((x) => x.longest)),
      stoppedMs: stats(runs.map((x) => x.total)),
      reportedLongestStopMs: stats(reported.map((x) => x.longestStopMs)),
      floorSnapshotMs: stats(floors.map((x) => x.ms)),
      floorSnapshotStopMs: stats(floors.map((x) => x.longest)),
      mainCpuMs: stats(runs.map((x) => x.cpuMs)),
      floorQuerySnapshotMs: stats(designFloors.map((x) => x.ms)),
      floorQuerySnapshotCpuMs: stats(designFloors.map((x) => x.cpuMs)),
      phases: reported.map((x) => x.phases),
      framesWithLine: `${withLine}/${frames}`,
      thenChainBeforeMs: before,
      thenChainAfterMs: after,
    };
  },
});
