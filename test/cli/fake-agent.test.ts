// The inspector transport by itself: the target has a hand-written agent and no tasktree code.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Child } from './helpers.js';
import { freePort, inspectorAnswers, killAll, privateRuntimeDir, removeDir, runCli, startFixture, waitUntil } from './helpers.js';

describe('the inspector transport', () => {
  let runtimeDir = '';
  let env: NodeJS.ProcessEnv = {};
  let port = 0;
  let target: Child;

  before(async () => {
    runtimeDir = privateRuntimeDir();
    env = { ...process.env, XDG_RUNTIME_DIR: runtimeDir };
    delete env['NODE_OPTIONS'];
    port = await freePort();
    target = await startFixture('cli-fake-agent', { nodeArgs: [`--inspect-port=${port}`], env });
  });

  after(async () => {
    await killAll();
    removeDir(runtimeDir);
  });

  it("fetches the agent's snapshot", async () => {
    const result = await runCli(['ps', String(target.pid), '--json'], { env });
    assert.equal(result.code, 0, result.stderr);
    const snapshot = JSON.parse(result.stdout) as { pid: number; tasks: Array<{ id: string }> };
    assert.equal(snapshot.pid, target.pid);
    assert.deepEqual(
      snapshot.tasks.map((t) => t.id),
      ['fake.1', 'fake.2'],
    );
    await waitUntil('the inspector is closed', async () => !(await inspectorAnswers(port)));
  });

  it('passes the task id and the reason of cancel through', async () => {
    const result = await runCli(['cancel', String(target.pid), 'fake.2', '--reason', 'it is "stuck" \\ really', '--json', '--wait', '0'], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), {
      cancelled: 'fake.2',
      name: 'worker-2',
      path: 'main › worker-2',
      status: 'not-waited',
      endedAfterMs: null,
      waitMs: 0,
      finished: null,
      task: null,
      children: [],
    });
    assert.equal(await target.waitForLine(/^cancel /), 'cancel fake.2 it is "stuck" \\ really');
  });

  it("prints where's text", async () => {
    const result = await runCli(['where', String(target.pid), 'fake.2'], { env });
    assert.deepEqual(result, {
      code: 0,
      stdout: 'detail of main › worker-2\n',
      stderr: `tasktree: the tasktree in pid ${target.pid} cannot take stacks (it is older than this CLI); showing what it has\n`,
    });
    const quick = await runCli(['where', String(target.pid), 'fake.2', '--no-stacks'], { env });
    assert.deepEqual(quick, { code: 0, stdout: 'detail of main › worker-2\n', stderr: '' });
  });

  it('asks for the live tasks only where it shows no more (ps, pstree), and for the history with --json', async () => {
    const ownPort = await freePort();
    const own = await startFixture('cli-fake-agent', { nodeArgs: [`--inspect-port=${ownPort}`], env });
    const asked = async (args: string[], n: number): Promise<string> => {
      const result = await runCli([args[0] as string, String(own.pid), ...args.slice(1)], { env });
      assert.equal(result.code, 0, result.stderr);
      await waitUntil('the inspector is closed', async () => !(await inspectorAnswers(ownPort)));
      return (await own.waitForLine(new RegExp(`^snapshot ${n} `))).slice(`snapshot ${n} `.length);
    };
    assert.equal(await asked(['ps'], 1), '{"finished":false}');
    assert.equal(await asked(['pstree'], 2), '{"finished":false}');
    assert.equal(await asked(['ps', '--json'], 3), '{}');
  });

  it('receives a large answer (several MB) intact', async () => {
    const bigPort = await freePort();
    const big = await startFixture('cli-fake-agent', { args: ['--big', '20000'], nodeArgs: [`--inspect-port=${bigPort}`], env });
    const result = await runCli(['ps', String(big.pid), '--json', '--timeout', '20000'], { env });
    assert.equal(result.code, 0, result.stderr);
    const snapshot = JSON.parse(result.stdout) as { tasks: Array<{ id: string }> };
    assert.equal(snapshot.tasks.length, 20000);
    assert.equal(snapshot.tasks.at(-1)?.id, 'fake.20000');
    await waitUntil('the inspector is closed', async () => !(await inspectorAnswers(bigPort)));
  });
});
