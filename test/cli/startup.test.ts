// What the CLI loads to start: over the monitor socket it needs none of Node's HTTP stack (the
// inspector transport's client and the web UI's server are loaded only by the commands using them).
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Child } from './helpers.js';
import { fixture, isolatedEnv, killAll, privateRuntimeDir, removeDir, runCli, startFixture } from './helpers.js';

describe('the CLI’s start', () => {
  let runtimeDir = '';
  let env: NodeJS.ProcessEnv = {};
  let target: Child;

  before(async () => {
    runtimeDir = privateRuntimeDir();
    env = isolatedEnv(runtimeDir);
    target = await startFixture('cli-target', { args: ['--monitor'], env });
  });

  after(async () => {
    await killAll();
    removeDir(runtimeDir);
  });

  const loaded = (stderr: string): string => /^loaded: (.*)$/m.exec(stderr)?.[1] ?? 'no report';
  const withReport = (): NodeJS.ProcessEnv => ({ ...env, NODE_OPTIONS: `--import=${pathToFileURL(fixture('cli-loaded-modules')).href}` });

  it('loads no HTTP module for ps over the monitor socket', async () => {
    const result = await runCli(['ps', String(target.pid)], { env: withReport() });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^ID\s/);
    assert.equal(loaded(result.stderr), '');
  });

  it('loads no HTTP module for --help', async () => {
    const result = await runCli(['--help'], { env: withReport() });
    assert.equal(loaded(result.stderr), '');
  });
});
