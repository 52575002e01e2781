// The test-runner set-up modules, against small fixture test files run in child processes.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { fixture, runNode } from '../debug/child.js';

const setup = (name: string): string => fileURLToPath(new URL(`../../src/testing/${name}.js`, import.meta.url));
const vitestBin = fileURLToPath(new URL('../../../node_modules/vitest/vitest.mjs', import.meta.url));
const fixturesDir = fileURLToPath(new URL('../fixtures/', import.meta.url));

describe('node:test with --import tasktree/testing/node-test', () => {
  const nodeTest = (scenario: string, env: Record<string, string> = {}) =>
    runNode(['--import', setup('node-test'), '--test', '--test-reporter=spec', fixture('testing-node-tests')], {
      TASKTREE_FIXTURE: scenario,
      ...env,
    });

  it('fails a test that leaves a task running, naming it and where it was created (debug mode)', async () => {
    const { code, stdout, stderr } = await nodeTest('leak', { TASKTREE_DEBUG: '1' });
    const out = stdout + stderr;
    assert.equal(code, 1, out);
    assert.match(out, /✔ cleans up/);
    assert.match(out, /✖ leaks a poller/);
    assert.match(out, /TaskLeakError|test "leaks a poller" left 1 task running/);
    assert.match(out, /forgotten-poller \[\w+\.\w+\] running for \d+ ms, waiting on sleep 60000 ms/);
    assert.match(out, /created at .*testing-node-tests\.js:\d+:\d+/);
  });

  it('without debug mode, names the task and says how to see where it was created', async () => {
    const { code, stdout, stderr } = await nodeTest('leak');
    const out = stdout + stderr;
    assert.equal(code, 1, out);
    assert.match(out, /forgotten-poller/);
    assert.match(out, /Run with TASKTREE_DEBUG=1 to see where each was created/);
  });

  it('prints the task tree of a test still running after TASKTREE_HANG_MS', async () => {
    const { code, stdout, stderr } = await nodeTest('hang', { TASKTREE_HANG_MS: '300' });
    const out = stdout + stderr;
    assert.equal(code, 0, out);
    assert.match(out, /tasktree: test "hangs for a while" is still running after 300 ms; the task tree:/);
    assert.match(out, /└── stuck-child \[\w+\.\w+\] running \d+ ms — waiting on sleep 1500 ms/);
  });

  it('prints the task tree of a test that times out, and stops its tasks', async () => {
    const { code, stdout, stderr } = await nodeTest('timeout');
    const out = stdout + stderr;
    assert.equal(code, 1, out);
    assert.match(out, /tasktree: test "times out" timed out or was cancelled; the task tree:/);
    assert.match(out, /└── never-done \[\w+\.\w+\] running \d+ ms — waiting on sleep 60000 ms/);
  });
});

describe('Vitest with tasktree/testing/vitest in setupFiles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tasktree-vitest-'));
  const config = join(dir, 'vitest.config.mjs');
  writeFileSync(
    config,
    `export default ${JSON.stringify({
      cacheDir: join(dir, 'cache'),
      test: { include: ['testing-vitest-tests.js'], setupFiles: [setup('vitest')], pool: 'forks', watch: false },
    })};\n`,
  );
  after(() => rmSync(dir, { recursive: true, force: true }));
  const vitest = (scenario: string, env: Record<string, string> = {}) =>
    runNode([vitestBin, 'run', '--config', config, '--root', fixturesDir], { TASKTREE_FIXTURE: scenario, CI: '1', NO_COLOR: '1', ...env });

  it('fails a test that leaves a task running, naming it and where it was created (debug mode)', async () => {
    const { code, stdout, stderr } = await vitest('leak', { TASKTREE_DEBUG: '1' });
    const out = stdout + stderr;
    assert.equal(code, 1, out);
    assert.match(out, /TaskLeakError: test "leaks a poller" left 1 task running:/);
    assert.match(out, /forgotten-poller \[\w+\.\w+\] running for \d+ ms, waiting on sleep 60000 ms/);
    assert.match(out, /created at .*testing-vitest-tests\.(js|ts):\d+:\d+/);
    assert.match(out, /1 failed \| 1 passed/);
  });

  it('prints the task tree of a test that times out', async () => {
    const { code, stdout, stderr } = await vitest('timeout');
    const out = stdout + stderr;
    assert.equal(code, 1, out);
    assert.match(out, /tasktree: test "times out" timed out or was cancelled; the task tree:/);
    assert.match(out, /└── never-done \[\w+\.\w+\] running \d+ ms — waiting on sleep 60000 ms/);
  });
});
