// W2 — a chain of depth D where each task spawns one child and awaits it.
// mode "time":    D = 1,000, result msPerChain (median/min/max over repetitions).
// mode "survive": one chain of depth D (1,000 / 10,000 / 100,000); result { survived, ms } —
//                 a RangeError is reported as not survived; a crash is reported by the runner.
// Params: { system, mode, depth, reps, warmup }

import { main, now, perUnitSampler, repeat } from '../lib/harness.js';
import { naiveSpawn } from '../lib/naive.js';
import { scopeFloor } from '../lib/scope-floor.js';

/** `make(depth)` returns a function that runs one whole chain and resolves when it is joined. */
async function measure(p, once) {
  if (p.mode === 'survive') {
    const t0 = now();
    try {
      await once();
    } catch (err) {
      const overflow = err instanceof RangeError || /call stack/i.test(String(err && err.message));
      if (!overflow) throw err;
      return { survived: false, depth: p.depth, error: `${err.name}: ${err.message}` };
    }
    return { survived: true, depth: p.depth, ms: now() - t0 };
  }
  // ms per chain = ns per unit with one unit per chain, / 1e6
  const s = await repeat(p, perUnitSampler(1, once, p.sampleMs));
  const toMs = (x) => x / 1e6;
  return { msPerChain: { median: toMs(s.median), min: toMs(s.min), max: toMs(s.max), samples: s.samples.map(toMs) } };
}

main({
  async bare(p) {
    async function node(d) {
      if (d > 0) await node(d - 1);
    }
    return measure(p, () => node(p.depth));
  },

  async naive(p) {
    function node(d) {
      return d > 0 ? naiveSpawn('link', () => node(d - 1)) : Promise.resolve();
    }
    return measure(p, () => naiveSpawn('root', () => node(p.depth)));
  },

  async 'effect-fork'(p) {
    const { Effect, Fiber } = await import('effect');
    const node = (d) =>
      d === 0 ? Effect.void : Effect.flatMap(Effect.forkChild(Effect.suspend(() => node(d - 1))), Fiber.join);
    return measure(p, () => Effect.runPromise(node(p.depth)));
  },

  async 'effect-all'(p) {
    const { Effect } = await import('effect');
    const node = (d) =>
      d === 0 ? Effect.void : Effect.all([Effect.suspend(() => node(d - 1))], { concurrency: 'unbounded' });
    return measure(p, () => Effect.runPromise(node(p.depth)));
  },

  async effection(p) {
    const { run, spawn } = await import('effection');
    function* node(d) {
      if (d > 0) {
        const child = yield* spawn(() => node(d - 1));
        yield* child;
      }
    }
    return measure(p, () => run(() => node(p.depth)));
  },

  // The least any tracker pays that gives each task its own context (currentTask()), runs it in
  // the async context it was spawned in (other libraries' AsyncLocalStorage values), and is
  // awaited as a PromiseLike whose `then` accessor records who awaits it (the awaited-by edge):
  // the spawner's context captured in an AsyncResource, one context frame per task (enterWith
  // inside runInAsyncScope), starts batched in one microtask, and a `then` that keeps the
  // engine's resolving functions and settles them directly (no promise per await). No ids, names,
  // registry, scopes, cancellation or clocks. tasktree's Task is such a PromiseLike (see DESIGN:
  // not a Promise).
  async 'thenable-floor'(p) {
    const { AsyncLocalStorage, AsyncResource } = await import('node:async_hooks');
    const als = new AsyncLocalStorage();
    const resolved = Promise.resolve();
    let queue = [];
    const drain = () => {
      for (let i = 0; i < queue.length; i++) {
        const t = queue[i];
        queue[i] = undefined;
        t.context.runInAsyncScope(start, undefined, t);
      }
      queue = [];
    };
    function start(t) {
      t.context = undefined;
      als.enterWith(t);
      t.fn().then(settled);
    }
    function settled(value) {
      const t = als.getStore();
      t.done = true;
      t.value = value;
      if (t.resolve !== undefined) t.resolve(value);
    }
    // Only the engine calls `then` here (`await`): it passes its own promise's resolving functions
    // and ignores the result, so the task keeps them and settles them itself. (tasktree does the
    // same for the engine's calls, and must also tell them from user code's, which get a Promise.)
    function then(onFulfilled) {
      if (this.done) onFulfilled(this.value);
      else this.resolve = onFulfilled;
    }
    class FloorTask {
      constructor(fn) {
        this.fn = fn;
        this.context = new AsyncResource('floor');
        this.done = false;
        this.value = undefined;
        this.resolve = undefined;
        this.waiter = undefined;
      }
      get then() {
        this.waiter = als.getStore(); // the awaited-by edge
        return then;
      }
    }
    function spawn(fn) {
      const t = new FloorTask(fn);
      if (queue.push(t) === 1) void resolved.then(drain);
      return t;
    }
    async function node(d) {
      if (d > 0) await spawn(() => node(d - 1));
    }
    return measure(p, async () => {
      await spawn(() => node(p.depth));
    });
  },

  // thenable-floor plus the least the default tier must record, done the leanest way (see
  // ../lib/scope-floor.js). Where this floor is near a target, only a core about this lean can
  // meet it.
  async 'scope-floor'(p) {
    const { spawn, root } = scopeFloor();
    async function node(d) {
      if (d > 0) await spawn(() => node(d - 1));
    }
    return measure(p, async () => {
      await root(() => node(p.depth));
    });
  },

  async tasktree(p) {
    const { run, spawn } = await import('../../dist/src/index.js');
    async function node(d) {
      if (d > 0) await spawn('link', () => node(d - 1));
    }
    return measure(p, () => run(() => node(p.depth)));
  },
});
