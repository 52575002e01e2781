// W4 — heap bytes per live pending task, with N (100,000) tasks all waiting on one shared gate.
// heapUsed after gc() before spawning vs after gc() while all N are pending, divided by N.
// The gate (one promise), the counters and the caller's own bookkeeping are the same for every
// system; what differs is what the system keeps per task. Every system runs one shared body
// function (Effect shares its effect the same way): a closure created per task by the caller
// would add ≈56 bytes to every system alike, and it is not the system's cost.
// Params: { system, n, reps, warmup }

import { deferred, gc, heapUsed, main, repeat, tick, until } from '../lib/harness.js';
import { naiveSpawn } from '../lib/naive.js';

/**
 * One round: `start(ctx)` starts N tasks that call ctx.ready() and then wait on ctx.gate, and
 * returns a promise for the whole join. Returns bytes per pending task.
 */
async function round(n, start) {
  const gate = deferred();
  let ready = 0;
  const ctx = { n, gate: gate.promise, ready: () => void ready++ };
  await tick();
  gc();
  const before = heapUsed();
  const done = start(ctx);
  await until(() => ready === n, 120_000, `${n} tasks to start`);
  await tick();
  gc();
  const during = heapUsed();
  gate.resolve();
  await done;
  return (during - before) / n;
}

const sample = (p, start) => repeat(p, () => round(p.n, start));

main({
  async bare(p) {
    const bytes = await sample(p, (ctx) => {
      const body = async () => {
        ctx.ready();
        await ctx.gate;
      };
      const ps = new Array(ctx.n);
      for (let i = 0; i < ctx.n; i++) ps[i] = body();
      return Promise.all(ps);
    });
    return { bytesPerTask: bytes };
  },

  // What any AsyncLocalStorage-based tracker keeps at least per pending task: the same body,
  // started inside its own als.run() (the context frame every await of it captures), and one
  // reaction that observes its end, attached inside the run as a tracker does (attached after the
  // run, it would capture and keep the frame Node 24 creates to restore the outer context). A
  // counter, not Promise.all: no per-task array slot or combinator reaction. The store is the
  // loop index: no per-task object.
  async 'als-floor'(p) {
    const { AsyncLocalStorage } = await import('node:async_hooks');
    const als = new AsyncLocalStorage();
    const bytes = await sample(p, (ctx) => {
      const all = deferred();
      let left = ctx.n;
      const ended = () => {
        if (--left === 0) all.resolve();
      };
      const body = async () => {
        ctx.ready();
        await ctx.gate;
      };
      const start = () => body().then(ended, ended);
      for (let i = 0; i < ctx.n; i++) als.run(i, start);
      return all.promise;
    });
    return { bytesPerTask: bytes };
  },

  async naive(p) {
    const bytes = await sample(p, (ctx) =>
      naiveSpawn('w4', () => {
        const body = async () => {
          ctx.ready();
          await ctx.gate;
        };
        const ps = new Array(ctx.n);
        for (let i = 0; i < ctx.n; i++) ps[i] = naiveSpawn('pending', body);
        return Promise.all(ps);
      }),
    );
    return { bytesPerTask: bytes };
  },

  async 'effect-fork'(p) {
    const { Effect, Fiber } = await import('effect');
    const bytes = await sample(p, (ctx) => {
      const child = Effect.suspend(() => (ctx.ready(), Effect.promise(() => ctx.gate)));
      return Effect.runPromise(
        Effect.gen(function* () {
          const fibers = new Array(ctx.n);
          for (let i = 0; i < ctx.n; i++) fibers[i] = yield* Effect.forkChild(child);
          for (let i = 0; i < ctx.n; i++) yield* Fiber.join(fibers[i]);
        }),
      );
    });
    return { bytesPerTask: bytes };
  },

  async 'effect-all'(p) {
    const { Effect } = await import('effect');
    const bytes = await sample(p, (ctx) => {
      const child = Effect.suspend(() => (ctx.ready(), Effect.promise(() => ctx.gate)));
      return Effect.runPromise(Effect.all(new Array(ctx.n).fill(child), { concurrency: 'unbounded', discard: true }));
    });
    return { bytesPerTask: bytes };
  },

  async effection(p) {
    const { run, spawn, until: untilPromise } = await import('effection');
    const bytes = await sample(p, (ctx) =>
      run(function* () {
        function* body() {
          ctx.ready();
          yield* untilPromise(ctx.gate);
        }
        const tasks = new Array(ctx.n);
        for (let i = 0; i < ctx.n; i++) tasks[i] = yield* spawn(body);
        for (let i = 0; i < ctx.n; i++) yield* tasks[i];
      }),
    );
    return { bytesPerTask: bytes };
  },

  async tasktree(p) {
    const { TaskGroup } = await import('../../dist/src/index.js');
    const bytes = await sample(p, (ctx) =>
      TaskGroup.run('w4', async (group) => {
        const body = async () => {
          ctx.ready();
          await ctx.gate;
        };
        for (let i = 0; i < ctx.n; i++) group.spawn('pending', body);
      }),
    );
    return { bytesPerTask: bytes };
  },
});
