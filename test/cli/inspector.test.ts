// The CLI against a process that only loaded tasktree: it goes through Node's inspector (SIGUSR1),
// and closes the inspector again after every command.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { commandsSuite } from './commands-suite.js';
import { freePort, inspectorAnswers, killAll, runCli, startFixture, waitUntil } from './helpers.js';

describe('tasktree over the inspector', () => {
  let port = 0;
  commandsSuite({
    transport: 'inspector',
    fixtureArgs: [],
    nodeArgs: async () => {
      port = await freePort();
      return [`--inspect-port=${port}`];
    },
    afterEachRun: async (target) => {
      // The CLI opened the inspector; it is closed again by the time the CLI exits (so that the
      // next call cannot find it open and be cut off), and the process still runs.
      assert.equal(await inspectorAnswers(port), false, `the inspector on port ${port} is closed`);
      assert.ok(target.alive(), 'the target survived');
    },
  });
});

describe('tasktree over an inspector that was already open', () => {
  after(killAll);

  it('uses it and leaves it open', async () => {
    const port = await freePort();
    const target = await startFixture('cli-target', { nodeArgs: [`--inspect=127.0.0.1:${port}`] });
    assert.equal(await inspectorAnswers(port), true);
    const result = await runCli(['ps', String(target.pid), '--transport', 'inspector']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /main › worker/);
    assert.equal(await inspectorAnswers(port), true, 'still open');
  });
});

describe('tasktree on a process whose event loop is blocked', () => {
  after(killAll);

  it('still reads its task tree through the inspector, and closes the inspector again', async () => {
    const port = await freePort();
    const target = await startFixture('cli-target', { args: ['--block'], nodeArgs: [`--inspect-port=${port}`] });
    const result = await runCli(['pstree', String(target.pid)]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /── worker/);
    await waitUntil('the inspector is closed', async () => !(await inspectorAnswers(port)));
  });
});

describe('tasktree calls in a row over the inspector', () => {
  after(killAll);

  it('all succeed against a busy process, and each leaves the inspector closed when it exits', async () => {
    const port = await freePort();
    const target = await startFixture('cli-target', { args: ['--busy'], nodeArgs: [`--inspect-port=${port}`] });
    const commands = [['ps'], ['pstree'], ['where', 'idle'], ['ps', '--json']];
    for (let i = 0; i < 12; i++) {
      const [command, ...rest] = commands[i % commands.length] as string[];
      const result = await runCli([command as string, String(target.pid), ...rest]);
      assert.equal(result.code, 0, `call ${i + 1} (${command}): ${result.stderr}`);
      assert.equal(result.stderr, '');
      assert.equal(await inspectorAnswers(port), false, `the inspector is closed when call ${i + 1} exits`);
    }
    assert.ok(target.alive());
  });

  it('wait for a close the process gets to late (it sits in a synchronous call), so the next call is not cut', async () => {
    const port = await freePort();
    const target = await startFixture('cli-fake-agent', { args: ['--block-after-answer', '2500'], nodeArgs: [`--inspect-port=${port}`] });
    for (let i = 0; i < 2; i++) {
      const result = await runCli(['ps', String(target.pid), '--timeout', '8000']);
      assert.equal(result.code, 0, `call ${i + 1}: ${result.stderr}`);
      assert.equal(result.stderr, '');
      assert.equal(await inspectorAnswers(port), false, `the inspector is closed when call ${i + 1} exits`);
    }
  });

  it('open the inspector again when another call closes it under them, and send the request again', async () => {
    const port = await freePort();
    const target = await startFixture('cli-fake-agent', { args: ['--close-inspector-once'], nodeArgs: [`--inspect-port=${port}`] });
    const result = await runCli(['ps', String(target.pid), '--json']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    assert.equal((JSON.parse(result.stdout) as { pid: number }).pid, target.pid);
    assert.equal(await inspectorAnswers(port), false, 'the inspector it opened again is closed');
    assert.equal(target.stderr().match(/Debugger listening/g)?.length, 2, 'opened twice');
  });

  it('all succeed when they overlap (three at a time) against a busy process', async () => {
    const port = await freePort();
    const target = await startFixture('cli-target', { args: ['--busy'], nodeArgs: [`--inspect-port=${port}`] });
    for (let round = 0; round < 4; round++) {
      const results = await Promise.all([
        runCli(['ps', String(target.pid)]),
        runCli(['pstree', String(target.pid)]),
        runCli(['where', String(target.pid), 'idle']),
      ]);
      for (const [i, result] of results.entries()) assert.equal(result.code, 0, `round ${round + 1}, call ${i + 1}: ${result.stderr}`);
    }
    assert.equal(await inspectorAnswers(port), false, 'closed once the last call exited');
    assert.ok(target.alive());
  });
});
