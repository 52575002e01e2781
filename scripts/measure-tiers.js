// Measures the cost per spawned task of each overhead tier, one fresh process per tier (on Node
// 20, AsyncLocalStorage's promise hooks are process-wide, so tiers must not share a process):
//   baseline — no tasktree: the same async functions under Promise.all (the floor)
//   default  — tasktree as shipped: names, ids, the registry (debug off)
//   debug    — enableDebug(): creation/await sites, promise hooks, the watchdog
//   sites    — enableDebug({ promises: false }): debug without the promise hook
// Usage: npm run build && node scripts/measure-tiers.js [--node /path/to/node] [--tasks 20000]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : args[i + 1];
};
const tier = option('--tier', undefined);
const tasks = Number(option('--tasks', '20000'));
const rounds = 7;

if (tier === undefined) {
  const node = option('--node', process.execPath);
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  console.log(`Node ${version}: ns per spawned task (${tasks} tasks per round, median of ${rounds} rounds after warm-up)`);
  const results = {};
  for (const name of ['baseline', 'default', 'sites', 'debug']) {
    const res = spawnSync(node, [fileURLToPath(import.meta.url), '--tier', name, '--tasks', String(tasks)], { encoding: 'utf8' });
    if (res.status !== 0) {
      console.error(res.stderr);
      process.exit(1);
    }
    results[name] = Number(res.stdout.trim());
  }
  for (const [name, ns] of Object.entries(results)) {
    const ratio = (ns / results.baseline).toFixed(1);
    console.log(`  ${name.padEnd(9)} ${String(Math.round(ns)).padStart(7)} ns   ${ratio}× baseline`);
  }
} else {
  const { run, spawn } = await import('../dist/src/index.js');
  if (tier === 'debug' || tier === 'sites') {
    const { enableDebug } = await import('../dist/src/debug/index.js');
    enableDebug({ warnings: false, promises: tier === 'debug' });
  }
  const work = async () => 1;
  const once = async () => {
    const start = process.hrtime.bigint();
    if (tier === 'baseline') {
      const all = [];
      for (let i = 0; i < tasks; i++) all.push(work());
      await Promise.all(all);
    } else {
      await run(async () => {
        const all = [];
        for (let i = 0; i < tasks; i++) all.push(spawn('job', work));
        for (const t of all) await t;
      }, { dumpSignal: false, handleSignals: false });
    }
    return Number(process.hrtime.bigint() - start) / tasks;
  };
  for (let i = 0; i < 3; i++) await once(); // warm-up
  const samples = [];
  for (let i = 0; i < rounds; i++) samples.push(await once());
  samples.sort((a, b) => a - b);
  console.log(samples[Math.floor(rounds / 2)]);
  if (tier === 'debug' || tier === 'sites') (await import('../dist/src/debug/index.js')).disableDebug();
}
