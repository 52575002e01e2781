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
      // The CLI opened the inspector; it must be closed again, and the process still running.
      await waitUntil(`the inspector on port ${port} is closed`, async () => !(await inspectorAnswers(port)));
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
