// await-tax — the cost of a plain `await` in a process where AsyncLocalStorage has been used
// (one als.run, anywhere, once) vs one where it has not. Each system is its own fresh process
// because on Node 20 the tax is process-wide (AsyncLocalStorage turns on promise hooks) and
// never goes away.
//   plain       — AsyncLocalStorage never used
//   als-used    — als.run(…) once at start-up, then the awaits run outside it
//   als-inside  — the awaits run inside an als.run context
// Result: ns per `await` of an already-resolved promise.
// Params: { system, awaits, reps, warmup }

import { AsyncLocalStorage } from 'node:async_hooks';
import { main, now, repeat } from '../lib/harness.js';

const resolved = Promise.resolve(1);

async function loop(n) {
  let s = 0;
  for (let i = 0; i < n; i++) s += await resolved;
  return s;
}

const sampler = (n) => async () => {
  const t0 = now();
  await loop(n);
  return ((now() - t0) * 1e6) / n;
};

main({
  async plain(p) {
    return { nsPerAwait: await repeat(p, sampler(p.awaits)) };
  },
  async 'als-used'(p) {
    const als = new AsyncLocalStorage();
    als.run({ task: 1 }, () => {});
    return { nsPerAwait: await repeat(p, sampler(p.awaits)) };
  },
  async 'als-inside'(p) {
    const als = new AsyncLocalStorage();
    return als.run({ task: 1 }, async () => ({ nsPerAwait: await repeat(p, sampler(p.awaits)) }));
  },
});
