// W8 — a real service: the same HTTP handler (auth; a db call awaiting a 1 ms timer; render) in
// each system (see w8-server.js), load-generated with autocannon on loopback with fixed
// connections and duration. This process is the load generator; every server is a process of its
// own (on the same Node binary as this one), started once and kept for the whole run.
//
// Interleaved: each round loads every server once, so a change in the machine's load hits every
// system alike, and each round starts one server later than the one before (A B C D, B C D A, …),
// so no system always runs first, or always right after another; the ratios to bare are taken per
// round (bare and the other run seconds apart) and their median is reported with its min–max.
//
// Variants of tasktree's server: `tasktree` (the default tier), `tasktree-ps` (TASKTREE_MONITOR=1,
// and `tasktree ps PID` run once a second over the monitor socket for the whole load, from a
// process of its own: w8-looker.js), and `tasktree-debug` (TASKTREE_DEBUG=1: debug mode with its
// defaults).
//
// Latencies are every 2xx response's own time as autocannon measures it (a float in ms, taken
// from its `response` events: its histogram rounds to whole milliseconds).
// Params: { system: 'interleaved', systems?, rounds, durationS, warmupS, connections }

import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main, stats } from '../lib/harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

export const SYSTEMS = ['bare', 'als-floor', 'scope-floor', 'naive', 'effect', 'tasktree', 'tasktree-ps', 'tasktree-debug'];

/** The server process of one system; resolves once it listens. */
function startServer(system) {
  const base = system.startsWith('tasktree') ? 'tasktree' : system;
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  for (const k of Object.keys(env)) if (k.startsWith('TASKTREE_')) delete env[k];
  if (system === 'tasktree-ps') env.TASKTREE_MONITOR = '1';
  if (system === 'tasktree-debug') env.TASKTREE_DEBUG = '1';
  const child = spawn(process.execPath, [join(here, 'w8-server.js'), JSON.stringify({ system: base })], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the ${system} server did not listen within 20 s: ${stderr}`)), 20_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line && out.includes('\n')) {
        clearTimeout(timer);
        resolve({ ...JSON.parse(line), system, child, stderr: () => stderr });
      }
    });
    child.once('exit', (code, signal) => reject(new Error(`the ${system} server exited (${signal ?? code}): ${stderr}`)));
  });
}

/**
 * `tasktree ps PID` once a second until stopped, from a process of its own (w8-looker.js), not from
 * this one: the load generator must not pay for the spawns. `stop()` resolves with the runs' counts.
 */
function psLoop(pid) {
  const looker = spawn(process.execPath, [join(here, 'w8-looker.js'), String(pid)], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
  let out = '';
  let err = '';
  looker.stdout.setEncoding('utf8').on('data', (d) => (out += d));
  looker.stderr.setEncoding('utf8').on('data', (d) => (err = (err + d).slice(-2000)));
  const closed = new Promise((resolve) => looker.once('close', (code) => resolve(code)));
  return {
    async stop() {
      looker.stdin.end();
      const code = await closed;
      if (code !== 0) throw new Error(`the ps looker exited with ${code}: ${err}`);
      return JSON.parse(out);
    },
  };
}

/** One autocannon run against a server; the throughput and the exact latency percentiles. */
async function load(autocannon, server, { durationS, connections }) {
  const latencies = [];
  const instance = autocannon({ url: `http://127.0.0.1:${server.port}/user/42`, connections, duration: durationS, headers: { authorization: 'Bearer ada' } });
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
  });
  const result = await instance;
  if (result.errors || result.timeouts || result.non2xx) throw new Error(`${server.system}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx responses`);
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { rps: result.requests.total / (result.duration || durationS), p50: at(0.5), p99: at(0.99), requests: result.requests.total };
}

main({
  async interleaved(p) {
    const autocannon = require('autocannon');
    const systems = p.systems ?? SYSTEMS;
    const servers = [];
    try {
      for (const s of systems) servers.push(await startServer(s));
      // Warm-up: every server serves warmupS seconds once (JIT, pools, sockets).
      for (const server of servers) await load(autocannon, server, { durationS: p.warmupS, connections: p.connections });
      const rounds = [];
      const ps = [];
      for (let r = 0; r < p.rounds; r++) {
        const round = {};
        for (let i = 0; i < servers.length; i++) {
          const server = servers[(r + i) % servers.length];
          const loop = server.system === 'tasktree-ps' ? psLoop(server.pid) : undefined;
          round[server.system] = await load(autocannon, server, p);
          if (loop) ps.push(await loop.stop());
        }
        rounds.push(round);
      }
      const out = {};
      for (const s of systems) {
        const of = (k) => stats(rounds.map((r) => r[s][k]));
        const vsBare = (k) => (systems.includes('bare') ? stats(rounds.map((r) => r[s][k] / r.bare[k])) : undefined);
        out[s] = { rps: of('rps'), p50Ms: of('p50'), p99Ms: of('p99'), rpsVsBare: vsBare('rps'), p50VsBare: vsBare('p50'), p99VsBare: vsBare('p99') };
      }
      if (systems.includes('tasktree') && systems.includes('tasktree-ps')) {
        out['tasktree-ps'].rpsVsTasktree = stats(rounds.map((r) => r['tasktree-ps'].rps / r.tasktree.rps));
        out['tasktree-ps'].p99VsTasktree = stats(rounds.map((r) => r['tasktree-ps'].p99 / r.tasktree.p99));
        const all = { started: 0, ok: 0, failed: [], ms: [] };
        for (const x of ps) (all.started += x.started, all.ok += x.ok, all.failed.push(...x.failed), all.ms.push(...x.ms));
        out['tasktree-ps'].psRuns = { started: all.started, ok: all.ok, failed: all.failed.slice(0, 5), ms: stats(all.ms) };
        if (all.ok === 0) throw new Error(`tasktree ps never succeeded against the server: ${all.failed[0] ?? 'no run'}`);
      }
      if (systems.includes('tasktree') && systems.includes('tasktree-debug')) {
        out['tasktree-debug'].rpsVsTasktree = stats(rounds.map((r) => r['tasktree-debug'].rps / r.tasktree.rps));
      }
      return { systems: out, rounds, connections: p.connections, durationS: p.durationS };
    } finally {
      for (const s of servers) s.child.kill('SIGKILL');
    }
  },
});
