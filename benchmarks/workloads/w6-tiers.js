// W6 — the cost per spawn of each overhead tier: W1's workload (spawn N children that each await
// one resolved promise, join them all) with tasktree off (no tasktree: plain promises), in its
// default tier, in debug mode without promise tracking (creation and await sites, the watchdog,
// leak reports), and in full debug mode (plus promise tracking: attributed rejections and
// never-awaited promises).
// Result: nanoseconds per task.
// Params: { system, n, reps, warmup }

import { main, perUnitSampler, repeat } from '../lib/harness.js';
import { child, systems as w1 } from './w1-spawn-join.js';

async function tiered(p, debug) {
  const { n } = p;
  const { TaskGroup } = await import('../../dist/src/index.js');
  if (debug !== undefined) {
    const { enableDebug } = await import('../../dist/src/debug/index.js');
    enableDebug({ warnings: false, ...debug });
  }
  const once = () =>
    TaskGroup.run('w6', async (group) => {
      for (let i = 0; i < n; i++) group.spawn('child', child);
    });
  const nsPerTask = await repeat(p, perUnitSampler(n, once, p.sampleMs));
  if (debug !== undefined) (await import('../../dist/src/debug/index.js')).disableDebug();
  return { nsPerTask };
}

main({
  // The floor: W1's bare system, unchanged.
  plain: (p) => w1.bare(p),
  default: (p) => tiered(p, undefined),
  'debug-sites': (p) => tiered(p, { promises: false }),
  debug: (p) => tiered(p, {}),
});
