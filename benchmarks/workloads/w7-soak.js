// W7 (soak) — `total` short tasks (each awaits one resolved promise) through ONE long-lived group
// with bounded concurrency. Heap after gc() is sampled at each checkpoint; it must stay flat.
//
// Backpressure pattern (the same for both systems): the producer keeps a ring of the last
// `window` = 2 × concurrency tasks and, before spawning task i, awaits task i − window. So at most
// `window` tasks are outstanding (≤ concurrency running + ≤ concurrency queued) and the group's
// queue never grows with `total`. At each checkpoint the ring is drained before gc() so the heap
// number is not skewed by whichever tasks happen to be in flight.
// Params: { system, total, checkpoints: [counts], concurrency }

import { gc, heapUsed, main, now } from '../lib/harness.js';

async function shortTask() {
  await Promise.resolve();
}

async function soak({ total, checkpoints, concurrency }, spawnOne, finish) {
  const window = 2 * concurrency;
  const ring = new Array(window);
  const marks = new Set(checkpoints);
  gc();
  const heapStart = heapUsed();
  const samples = [];
  const t0 = now();
  let tLast = t0;
  let last = 0;
  for (let i = 0; i < total; i++) {
    const slot = i % window;
    const prev = ring[slot];
    if (prev !== undefined) await prev;
    ring[slot] = spawnOne();
    if (marks.has(i + 1)) {
      for (let k = 0; k < window; k++) if (ring[k] !== undefined) await ring[k];
      const tNow = now();
      gc();
      samples.push({
        tasks: i + 1,
        heapUsed: heapUsed(),
        rss: process.memoryUsage().rss,
        nsPerTask: ((tNow - tLast) * 1e6) / (i + 1 - last),
      });
      last = i + 1;
      tLast = now();
    }
  }
  await finish();
  return { heapStart, checkpoints: samples, totalMs: now() - t0 };
}

/** A hand-rolled p-limit: at most `concurrency` running, the rest in a FIFO (head index, compacted). */
function createLimit(concurrency) {
  let active = 0;
  let queue = [];
  let head = 0;
  const next = () => {
    active--;
    if (head < queue.length) {
      const job = queue[head];
      queue[head++] = undefined;
      if (head > 1024 && head * 2 > queue.length) {
        queue = queue.slice(head);
        head = 0;
      }
      start(job);
    }
  };
  const start = (job) => {
    active++;
    job.fn().then(job.resolve, job.reject).finally(next);
  };
  return (fn) =>
    new Promise((resolve, reject) => {
      const job = { fn, resolve, reject };
      if (active < concurrency) start(job);
      else queue.push(job);
    });
}

main({
  async bare(p) {
    const limit = createLimit(p.concurrency);
    return soak(p, () => limit(shortTask), async () => {});
  },

  async tasktree(p) {
    const { TaskGroup } = await import('../../dist/src/index.js');
    const group = new TaskGroup('soak', { concurrency: p.concurrency });
    return soak(
      p,
      () => group.spawn('job', shortTask),
      () => group[Symbol.asyncDispose](),
    );
  },
});
