// W3 — 10,000 pending siblings that each wait on their cancellation signal and run a cleanup when
// cancelled, plus one child that throws once every sibling is waiting.
// Result: ms from the throw until the group has settled AND every sibling's cleanup has run
// (for `bare`, Promise.all rejects at the throw, so the end is when the last cleanup has run).
// Params: { system, n, reps, warmup }

import { deferred, main, now, repeat } from '../lib/harness.js';
import { naiveSpawn } from '../lib/naive.js';

class Boom extends Error {
  name = 'Boom';
}

/**
 * One round: `start(ctx)` must start the whole group and return a promise that settles with it.
 * ctx.ready() is called by each sibling once it waits; ctx.whenReady resolves once all did;
 * ctx.cleanup() is called by each sibling's cleanup; ctx.threw() by the thrower right before throwing.
 */
async function round(n, start) {
  let started = 0;
  let cleaned = 0;
  let tThrow = 0;
  let tCleaned = 0;
  const allReady = deferred();
  const allClean = deferred();
  const ctx = {
    n,
    whenReady: allReady.promise,
    ready() {
      if (++started === n) allReady.resolve();
    },
    cleanup() {
      if (++cleaned === n) {
        tCleaned = now();
        allClean.resolve();
      }
    },
    threw() {
      tThrow = now();
    },
  };
  let settledWith;
  try {
    await start(ctx);
    settledWith = 'fulfilled';
  } catch (err) {
    settledWith = err;
  }
  const tSettled = now();
  if (settledWith === 'fulfilled') throw new Error('the group did not fail');
  if (cleaned < n) {
    const timer = setTimeout(() => allClean.reject(new Error(`only ${cleaned}/${n} cleanups ran within 10 s of settling`)), 10_000);
    await allClean.promise;
    clearTimeout(timer);
  }
  return Math.max(tSettled, tCleaned) - tThrow;
}

const sample = (p, start) => repeat(p, () => round(p.n, start));

/** The floor: shared AbortController, Promise.all, abort on the first rejection. */
function promiseSibling(ctx, signal) {
  return new Promise((_, reject) => {
    signal.addEventListener(
      'abort',
      () => {
        ctx.cleanup();
        reject(signal.reason);
      },
      { once: true },
    );
    ctx.ready();
  });
}

/**
 * The promise floor's shape, shared by `bare` and `naive`: siblings on one AbortController, a
 * thrower, Promise.all, and an abort on the first rejection. `start(fn)` runs one of them.
 */
function sharedSignalRound(ctx, start) {
  return async () => {
    const ac = new AbortController();
    const ps = new Array(ctx.n + 1);
    for (let i = 0; i < ctx.n; i++) ps[i] = start('sibling', () => promiseSibling(ctx, ac.signal));
    ps[ctx.n] = start('thrower', async () => {
      await ctx.whenReady;
      ctx.threw();
      throw new Boom('boom');
    });
    try {
      await Promise.all(ps);
    } catch (err) {
      ac.abort(err);
      throw err;
    }
  };
}

main({
  // The floor with one AbortSignal per task, as tasktree's API gives (task.signal): the bare
  // shape, but each sibling gets its own AbortController and the first rejection aborts them all.
  async 'signal-floor'(p) {
    const ms = await sample(p, (ctx) => {
      const acs = new Array(ctx.n);
      const ps = new Array(ctx.n + 1);
      for (let i = 0; i < ctx.n; i++) ps[i] = promiseSibling(ctx, (acs[i] = new AbortController()).signal);
      ps[ctx.n] = (async () => {
        await ctx.whenReady;
        ctx.threw();
        throw new Boom('boom');
      })();
      return Promise.all(ps).catch((err) => {
        for (const ac of acs) ac.abort(err);
        throw err;
      });
    });
    return { ms };
  },

  async bare(p) {
    const ms = await sample(p, (ctx) => sharedSignalRound(ctx, (_name, fn) => (async () => fn())())());
    return { ms };
  },

  async naive(p) {
    const ms = await sample(p, (ctx) => naiveSpawn('w3', sharedSignalRound(ctx, naiveSpawn)));
    return { ms };
  },

  async 'effect-fork'(p) {
    const { Effect, Fiber } = await import('effect');
    const ms = await sample(p, (ctx) => {
      const sibling = Effect.callback(() => {
        ctx.ready();
        return Effect.sync(() => ctx.cleanup()); // runs when the fiber is interrupted
      });
      const thrower = Effect.flatMap(
        Effect.promise(() => ctx.whenReady),
        () => Effect.suspend(() => (ctx.threw(), Effect.fail(new Boom('boom')))),
      );
      return Effect.runPromise(
        Effect.gen(function* () {
          const fibers = new Array(ctx.n + 1);
          for (let i = 0; i < ctx.n; i++) fibers[i] = yield* Effect.forkChild(sibling);
          fibers[ctx.n] = yield* Effect.forkChild(thrower);
          // joinAll fails at the first failure; leaving the parent interrupts the other children.
          yield* Fiber.joinAll(fibers);
        }),
      );
    });
    return { ms };
  },

  async 'effect-all'(p) {
    const { Effect } = await import('effect');
    const ms = await sample(p, (ctx) => {
      const sibling = Effect.callback(() => {
        ctx.ready();
        return Effect.sync(() => ctx.cleanup());
      });
      const thrower = Effect.flatMap(
        Effect.promise(() => ctx.whenReady),
        () => Effect.suspend(() => (ctx.threw(), Effect.fail(new Boom('boom')))),
      );
      const effects = new Array(ctx.n + 1).fill(sibling);
      effects[ctx.n] = thrower;
      return Effect.runPromise(Effect.all(effects, { concurrency: 'unbounded', discard: true }));
    });
    return { ms };
  },

  async effection(p) {
    const { run, spawn, suspend, until } = await import('effection');
    const ms = await sample(p, (ctx) =>
      run(function* () {
        for (let i = 0; i < ctx.n; i++) {
          yield* spawn(function* () {
            try {
              ctx.ready();
              yield* suspend();
            } finally {
              ctx.cleanup();
            }
          });
        }
        const thrower = yield* spawn(function* () {
          yield* until(ctx.whenReady);
          ctx.threw();
          throw new Boom('boom');
        });
        yield* thrower;
      }),
    );
    return { ms };
  },

  async tasktree(p) {
    const { TaskGroup } = await import('../../dist/src/index.js');
    const ms = await sample(p, (ctx) =>
      TaskGroup.run('w3', async (group) => {
        for (let i = 0; i < ctx.n; i++) group.spawn('sibling', (task) => promiseSibling(ctx, task.signal));
        group.spawn('thrower', async () => {
          await ctx.whenReady;
          ctx.threw();
          throw new Boom('boom');
        });
      }),
    );
    return { ms };
  },
});
