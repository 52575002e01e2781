// Child-process side of the benchmark harness.
//
// Every workload file is started by benchmarks/run.js in a fresh process as
//   node --expose-gc benchmarks/workloads/<file>.js '<json params>'
// and must print exactly one JSON line on stdout: { ok: true, ...results } or
// { ok: false, error }. Anything else (a crash, an overflow that kills the process,
// a timeout) is reported by the runner from the exit status.

import { writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export const now = () => performance.now();

/** Parameters passed by the runner (argv[2], JSON). */
export function params() {
  const raw = process.argv[2];
  return raw ? JSON.parse(raw) : {};
}

/** Full garbage collection (needs --expose-gc); twice so weak/ephemeral garbage goes too. */
export function gc() {
  if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc');
  globalThis.gc();
  globalThis.gc();
}

export function heapUsed() {
  return process.memoryUsage().heapUsed;
}

/** Resolves after the current macrotask turn (lets every queued microtask and immediate run). */
export const tick = () => new Promise((resolve) => setImmediate(resolve));

export function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1], samples };
}

/**
 * Runs `once()` (which returns one measured number) `warmup` times unmeasured, then up to `reps`
 * times, with a full GC before each repetition (outside the measured part). For slow systems the
 * repetitions stop early once `budgetMs` of wall time is spent, but never before `minReps`
 * (the number actually taken is in `samples.length`).
 */
export async function repeat({ warmup = 1, reps = 7, budgetMs = 20_000, minReps = 3 }, once) {
  const start = now();
  for (let i = 0; i < warmup; i++) {
    gc();
    await once();
    if (now() - start > budgetMs / 3) break; // one warm-up is enough for very slow runs
  }
  const samples = [];
  for (let i = 0; i < reps; i++) {
    gc();
    samples.push(await once());
    if (samples.length >= minReps && now() - start > budgetMs) break;
  }
  return stats(samples);
}

/** A promise plus its resolve/reject (Promise.withResolvers needs Node 22). */
export function deferred() {
  let resolve, reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Polls (one macrotask turn at a time) until `cond()` is true, or throws after `ms`. */
export async function until(cond, ms = 60_000, what = 'condition') {
  const deadline = now() + ms;
  while (!cond()) {
    if (now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await tick();
  }
}

/** The built tasktree package; imported lazily so other systems run without a build. */
export function loadTasktree() {
  return import('../../dist/src/index.js');
}
export function loadTasktreeInspect() {
  return import('../../dist/src/inspect/index.js');
}

function emit(obj) {
  writeSync(1, JSON.stringify(obj) + '\n');
}

/**
 * Runs a workload: `impls[params.system](params)` must resolve to a results object.
 * Prints the one JSON line and exits (some systems leave handles behind on purpose).
 */
export function main(impls) {
  const p = params();
  const fail = (err) => {
    emit({
      ok: false,
      system: p.system,
      error: err && err.stack ? String(err.stack).split('\n').slice(0, 6).join('\n') : String(err),
      errorName: err && err.name,
    });
    process.exit(1);
  };
  process.on('unhandledRejection', (err) => fail(err));
  const impl = impls[p.system];
  if (!impl) return fail(new Error(`unknown system ${p.system}; known: ${Object.keys(impls).join(', ')}`));
  Promise.resolve()
    .then(() => impl(p))
    .then(
      (result) => {
        emit({ ok: true, system: p.system, node: process.version, ...result });
        process.exit(0);
      },
      fail,
    );
}

/**
 * Wraps `once()` (one full run of a workload over `units` tasks) into a sampler that returns
 * nanoseconds per unit. The first call (use it as a warm-up) runs `once()` back to back for about
 * `targetMs` and times the runs after the first (cold) one; that rate sets how many runs make one
 * sample, so a sample lasts about `targetMs`: small workloads are not timer noise or GC-timing
 * noise, and slow systems are not run 100 times. (Calibrating on one cold run would make samples
 * of fast workloads far too short.) A cold run slower than `targetMs` is taken as it is.
 */
export function perUnitSampler(units, once, targetMs = 200) {
  targetMs ??= 200;
  let iters = 0;
  return async () => {
    if (iters === 0) {
      let t0 = now();
      await once();
      const cold = now() - t0;
      if (cold >= targetMs) {
        iters = 1;
        return (cold * 1e6) / units;
      }
      t0 = now();
      let runs = 0;
      do {
        await once();
        runs++;
      } while (now() - t0 < targetMs);
      const ms = (now() - t0) / runs;
      iters = Math.min(1000, Math.max(1, Math.round(targetMs / Math.max(ms, 0.001))));
      return (ms * 1e6) / units;
    }
    const t0 = now();
    for (let i = 0; i < iters; i++) await once();
    return ((now() - t0) * 1e6) / (units * iters);
  };
}
