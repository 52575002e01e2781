// W8's looker: runs `tasktree ps PID` once a second, as an operator's shell would, in a process of
// its own — not in the load generator's, where each spawn would stall autocannon's event loop (a
// fork of a big process blocks its parent for milliseconds) and be counted against the server.
//
// Started by w8-http.js as `node w8-looker.js PID`; the first `ps` starts at once. When its stdin
// ends, it lets the running `ps` finish, prints one JSON line { started, ok, failed, ms } and exits.

import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pid = Number(process.argv[2]);
if (!Number.isSafeInteger(pid) || pid <= 0) {
  console.error(`w8-looker: expected a pid, got ${process.argv[2]}`);
  process.exit(2);
}
const cli = join(dirname(dirname(dirname(fileURLToPath(import.meta.url)))), 'dist', 'src', 'cli', 'main.js');

const runs = { started: 0, ok: 0, failed: [], ms: [] };
let current;
let stopped = false;

function once() {
  if (stopped) return;
  runs.started++;
  const t0 = performance.now();
  let out = '';
  const ps = spawn(process.execPath, [cli, 'ps', String(pid)], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
  current = ps;
  ps.stdout.on('data', (d) => (out += d));
  ps.stderr.on('data', (d) => (out += d));
  const kill = setTimeout(() => ps.kill('SIGKILL'), 10_000);
  ps.once('close', (code) => {
    clearTimeout(kill);
    runs.ms.push(performance.now() - t0);
    if (code === 0) runs.ok++;
    else runs.failed.push(`exit ${code}: ${out.split('\n')[0]}`);
    if (current === ps) current = undefined;
  });
}

once();
const timer = setInterval(once, 1000);

process.stdin.resume();
process.stdin.once('end', () => {
  stopped = true;
  clearInterval(timer);
  const report = () => process.stdout.write(`${JSON.stringify(runs)}\n`);
  if (current === undefined) report();
  else current.once('close', report);
});
