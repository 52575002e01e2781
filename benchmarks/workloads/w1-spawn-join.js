// W1 — spawn N children that each await one resolved promise, then join them all.
// Result: nanoseconds per task (wall time of spawn + run + join, divided by N).
// Params: { system, n, reps, warmup }

import { pathToFileURL } from 'node:url';
import { main, perUnitSampler, repeat } from '../lib/harness.js';
import { naiveSpawn } from '../lib/naive.js';

/** What every child does: await one resolved promise. */
export async function child() {
  await Promise.resolve();
}

/** The systems, by name (W6 reuses `bare` as its floor). */
export const systems = {
  async bare(p) {
    const { n } = p;
    const once = () => {
      const ps = new Array(n);
      for (let i = 0; i < n; i++) ps[i] = child();
      return Promise.all(ps);
    };
    return { nsPerTask: await repeat(p, perUnitSampler(n, once, p.sampleMs)) };
  },

  // The floor of any tracker built on AsyncLocalStorage: one `run()` per task (so the task is
  // current across its awaits) and one reaction to learn that it ended. No names, no registry.
  async 'als-floor'(p) {
    const { n } = p;
    const { AsyncLocalStorage } = await import('node:async_hooks');
    const als = new AsyncLocalStorage();
    const noop = () => {};
    const once = () => {
      const ps = new Array(n);
      for (let i = 0; i < n; i++) ps[i] = als.run(i, child).then(noop, noop);
      return Promise.all(ps);
    };
    return { nsPerTask: await repeat(p, perUnitSampler(n, once, p.sampleMs)) };
  },

  async naive(p) {
    const { n } = p;
    const once = () =>
      naiveSpawn('w1', () => {
        const ps = new Array(n);
        for (let i = 0; i < n; i++) ps[i] = naiveSpawn('child', child);
        return Promise.all(ps);
      });
    return { nsPerTask: await repeat(p, perUnitSampler(n, once, p.sampleMs)) };
  },

  async 'effect-fork'(p) {
    const { n } = p;
    const { Effect, Fiber } = await import('effect');
    const childE = Effect.promise(() => Promise.resolve());
    const program = Effect.gen(function* () {
      const fibers = new Array(n);
      for (let i = 0; i < n; i++) fibers[i] = yield* Effect.forkChild(childE);
      for (let i = 0; i < n; i++) yield* Fiber.join(fibers[i]);
    });
    const once = () => Effect.runPromise(program);
    return { nsPerTask: await repeat(p, perUnitSampler(n, once, p.sampleMs)) };
  },

  async 'effect-all'(p) {
    const { n } = p;
    const { Effect } = await import('effect');
    const childE = Effect.promise(() => Promise.resolve());
    const once = () => {
      const effects = new Array(n);
      for (let i = 0; i < n; i++) effects[i] = childE;
      return Effect.runPromise(Effect.all(effects, { concurrency: 'unbounded' }));
    };
    return { nsPerTask: await repeat(p, perUnitSampler(n, once, p.sampleMs)) };
  },

  async effection(p) {
    const { n } = p;
    const { run, spawn, until } = await import('effection');
    function* childOp() {
      yield* until(Promise.resolve());
    }
    const once = () =>
      run(function* () {
        const tasks = new Array(n);
        for (let i = 0; i < n; i++) tasks[i] = yield* spawn(childOp);
        for (let i = 0; i < n; i++) yield* tasks[i];
      });
    return { nsPerTask: await repeat(p, perUnitSampler(n, once, p.sampleMs)) };
  },

  async tasktree(p) {
    const { n } = p;
    const { TaskGroup } = await import('../../dist/src/index.js');
    const once = () =>
      TaskGroup.run('w1', async (group) => {
        for (let i = 0; i < n; i++) group.spawn('child', child);
      });
    return { nsPerTask: await repeat(p, perUnitSampler(n, once, p.sampleMs)) };
  },
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main(systems);
