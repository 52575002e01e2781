// Every way `tasktree` can fail, each with its message and exit code, against real processes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { createConnection } from 'node:net';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CLI,
  NODE,
  freePort,
  inspectorAnswers,
  killAll,
  privateRuntimeDir,
  removeDir,
  runCli,
  spawnTracked,
  startChild,
  startFixture,
  waitUntil,
} from './helpers.js';

let runtimeDir = '';
let env: NodeJS.ProcessEnv = {};

before(() => {
  runtimeDir = privateRuntimeDir();
  env = { ...process.env, XDG_RUNTIME_DIR: runtimeDir };
  delete env['NODE_OPTIONS'];
});

after(async () => {
  await killAll();
  removeDir(runtimeDir);
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('usage', () => {
  it('exits 2 with a usage message when the command is missing or unknown', async () => {
    assert.deepEqual(await runCli([], { env }), {
      code: 2,
      stdout: '',
      stderr: 'tasktree: missing command (see tasktree --help)\n',
    });
    const unknown = await runCli(['top', '1'], { env });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^tasktree: unknown command "top"/);
  });

  it('exits 2 for a bad PID or an unknown option', async () => {
    assert.equal((await runCli(['ps', 'twelve'], { env })).stderr, 'tasktree: PID must be a positive integer, got "twelve" (see tasktree --help)\n');
    assert.equal((await runCli(['ps', '1', '--frobnicate'], { env })).code, 2);
  });

  it('prints the help, with every exit code, and exits 0', async () => {
    const result = await runCli(['--help'], { env });
    assert.equal(result.code, 0);
    for (const command of ['ps PID', 'pstree PID', 'where PID TASK', 'cancel PID TASK', 'watch PID']) {
      assert.ok(result.stdout.includes(command), command);
    }
    for (let code = 0; code <= 11; code++) assert.match(result.stdout, new RegExp(`^  ${code}\\s+\\S`, 'm'));
  });

  it('prints the version of the package', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.deepEqual(await runCli(['--version'], { env }), { code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });
});

describe('the target process', () => {
  it('exits 3 when the pid is not a running process', async () => {
    const gone = spawn(NODE, ['-e', '0'], { stdio: 'ignore' });
    await new Promise((resolve) => gone.once('exit', resolve));
    const result = await runCli(['ps', String(gone.pid)], { env });
    assert.deepEqual(result, { code: 3, stdout: '', stderr: `tasktree: no process with pid ${gone.pid}\n` });
  });

  it('exits 3 for a process that exited but is not reaped yet (a zombie), and says so', async () => {
    // sh starts node in the background and becomes `sleep`, which never waits for it.
    const parent = await startChild('sh', ['-c', `"${NODE}" -e 0 & echo $!; exec sleep 30`], { readyPattern: /^\d+$/ });
    const zombie = Number(parent.stdoutLines[0]);
    await waitUntil(`pid ${zombie} is a zombie`, () => {
      const stat = readFileSync(`/proc/${zombie}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
    });
    for (const transport of [[], ['--transport', 'socket'], ['--transport', 'inspector']]) {
      const result = await runCli(['ps', String(zombie), ...transport], { env });
      assert.deepEqual(result, { code: 3, stdout: '', stderr: `tasktree: pid ${zombie} has exited (zombie, not yet reaped by its parent)\n` });
    }
  });

  it('exits 5 when the pid is not a Node process, and never signals it', async () => {
    const sleeper = spawnTracked('sleep', ['30']);
    const result = await runCli(['pstree', String(sleeper.pid)], { env });
    assert.equal(result.code, 5);
    assert.match(result.stderr, new RegExp(`^tasktree: pid ${sleeper.pid} is not a Node process \\(\\S*sleep\\)\\n$`));
    assert.ok(alive(sleeper.pid as number), 'sleep is still running');
  });

  it(
    'exits 4 when the process belongs to another user',
    { skip: process.getuid?.() === 0 ? 'running as root: every process may be signalled' : false },
    async () => {
      const result = await runCli(['ps', '1'], { env });
      assert.deepEqual(result, { code: 4, stdout: '', stderr: 'tasktree: permission denied for pid 1 (it belongs to another user)\n' });
    },
  );

  it('exits 6 when the Node process has not loaded tasktree, and closes the inspector it opened', async () => {
    const port = await freePort();
    const plain = await startFixture('cli-plain', { nodeArgs: [`--inspect-port=${port}`], env });
    const result = await runCli(['ps', String(plain.pid)], { env });
    assert.deepEqual(result, { code: 6, stdout: '', stderr: `tasktree: tasktree is not loaded in pid ${plain.pid}\n` });
    await waitUntil('the inspector is closed', async () => !(await inspectorAnswers(port)));
    assert.ok(plain.alive());
  });

  it('ignores a monitor socket in a directory others can enter', async () => {
    const target = await startFixture('cli-target', { args: ['--monitor'], env });
    const directory = join(runtimeDir, 'tasktree');
    chmodSync(directory, 0o755);
    try {
      const result = await runCli(['ps', String(target.pid), '--transport', 'socket'], { env });
      assert.equal(result.code, 6);
      assert.match(result.stderr, /no tasktree monitor answers/);
    } finally {
      chmodSync(directory, 0o700);
    }
  });

  it('exits 6 with --transport socket when the process has no monitor', async () => {
    const plain = await startFixture('cli-plain', { env });
    const result = await runCli(['ps', String(plain.pid), '--transport', 'socket'], { env });
    assert.equal(result.code, 6);
    assert.match(result.stderr, new RegExp(`^tasktree: no tasktree monitor answers for pid ${plain.pid} \\(looked for .*${plain.pid}\\.sock`));
  });
});

describe('the monitor socket', () => {
  it('gives way to the inspector, saying so in one line, when the process does not answer on it (a blocked event loop)', async () => {
    const port = await freePort();
    const target = await startFixture('cli-target', { args: ['--monitor', '--block'], nodeArgs: [`--inspect-port=${port}`], env });
    const result = await runCli(['pstree', String(target.pid)], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stderr,
      `tasktree: pid ${target.pid}'s monitor socket did not answer within 1000 ms (its event loop is probably blocked); ` +
        'reading it through the inspector instead\n',
    );
    assert.match(result.stdout, /── worker/);
    assert.equal(await inspectorAnswers(port), false, 'the inspector is closed again');
  });

  it('with --transport socket, fails saying the event loop is probably blocked and how to see it', async () => {
    const target = await startFixture('cli-target', { args: ['--monitor', '--block'], env });
    const result = await runCli(['ps', String(target.pid), '--transport', 'socket', '--timeout', '1500'], { env });
    assert.deepEqual(result, {
      code: 7,
      stdout: '',
      stderr:
        `tasktree: pid ${target.pid} accepted the monitor connection but did not answer within 1500 ms: its event loop is ` +
        'probably blocked (busy in JavaScript or in a synchronous call); see where with --transport inspector\n',
    });
    assert.doesNotMatch(target.stderr(), /Debugger listening/, 'no inspector was opened');
  });

  it('exits 11 with the monitor\'s own message when it refuses the connection (16 already open)', async () => {
    const target = await startFixture('cli-target', { args: ['--monitor'], env });
    const path = (JSON.parse(target.ready) as { monitor: string }).monitor;
    const held = await Promise.all(
      Array.from(
        { length: 16 },
        () =>
          new Promise<Socket>((resolve, reject) => {
            // Each one answered: the monitor counts it.
            const socket = createConnection(path, () => socket.write('{"cmd":"ping"}\n'));
            socket.once('data', () => resolve(socket));
            socket.once('error', reject);
          }),
      ),
    );
    try {
      for (const transport of [[], ['--transport', 'socket']]) {
        const result = await runCli(['ps', String(target.pid), ...transport], { env });
        assert.deepEqual(result, {
          code: 11,
          stdout: '',
          stderr:
            `tasktree: pid ${target.pid}'s monitor socket refused the connection: the monitor serves 16 connections already, ` +
            'the most it takes; close one (a tasktree watch?) or try again later\n',
        });
      }
    } finally {
      for (const socket of held) socket.destroy();
    }
    await waitUntil('a slot is free again', async () => (await runCli(['ps', String(target.pid)], { env })).code === 0);
  });
});

describe('the inspector port', () => {
  let fake: Server;
  let fakePort = 0;

  before(async () => {
    // Something that answers HTTP on the port, but is no inspector: /json/list is always empty.
    fake = createServer((_req, res) => res.end('[]'));
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    const address = fake.address();
    fakePort = typeof address === 'object' && address !== null ? address.port : 0;
  });

  after(() => {
    fake.closeAllConnections();
    fake.close();
  });

  it('exits 7 when the inspector does not come up within --timeout', async () => {
    const target = await startFixture('cli-plain', { nodeArgs: [`--inspect-port=${fakePort}`], env });
    const started = Date.now();
    const result = await runCli(['ps', String(target.pid), '--timeout', '700'], { env });
    assert.deepEqual(result, {
      code: 7,
      stdout: '',
      stderr: `tasktree: timed out after 700 ms waiting for pid ${target.pid}'s inspector (127.0.0.1:${fakePort})\n`,
    });
    assert.ok(Date.now() - started < 5000);
    assert.ok(target.alive(), 'a failed inspector start does not kill the process');
  });

  it('exits 9 when another process holds the inspector port, leaving both alone', async () => {
    const port = await freePort();
    const holder = await startFixture('cli-plain', { nodeArgs: [`--inspect=127.0.0.1:${port}`], env });
    const target = await startFixture('cli-fake-agent', { nodeArgs: [`--inspect-port=${port}`], env });
    const result = await runCli(['ps', String(target.pid)], { env });
    assert.equal(result.code, 9);
    assert.equal(
      result.stderr,
      `tasktree: the inspector port 127.0.0.1:${port} of pid ${target.pid} is held by pid ${holder.pid}; ` +
        'start the monitor in the process (TASKTREE_MONITOR=1) or give it another --inspect-port\n',
    );
    assert.equal(await inspectorAnswers(port), true, "the holder's inspector stays open");
    assert.ok(holder.alive() && target.alive());
    assert.doesNotMatch(target.stderr(), /Debugger listening/, 'the target got no SIGUSR1');
  });
});

describe('watch', () => {
  it('exits 3 when the process exits while being watched', async () => {
    const target = await startFixture('cli-target', { args: ['--monitor'], env });
    const watcher = await startChild(NODE, [CLI, 'watch', String(target.pid), '--interval', '50'], {
      env,
      readyPattern: /^tasktree watch/,
    });
    target.process.kill('SIGKILL');
    const { code } = await watcher.exited;
    assert.equal(code, 3);
    assert.match(watcher.stderr(), new RegExp(`^tasktree: pid ${target.pid} exited\\n$`));
  });

  it('stops when its reader goes away (like `| head -1`)', async () => {
    const target = await startFixture('cli-target', { args: ['--monitor'], env });
    const watcher = await startChild(NODE, [CLI, 'watch', String(target.pid), '--interval', '20'], {
      env,
      readyPattern: /^tasktree watch/,
    });
    watcher.process.stdout?.destroy();
    const { code } = await watcher.exited;
    assert.equal(code, 0, watcher.stderr());
  });

  it('stops on Ctrl-C (SIGINT), exits 0 and closes the inspector it opened', async () => {
    const port = await freePort();
    const target = await startFixture('cli-target', { nodeArgs: [`--inspect-port=${port}`], env });
    const watcher = await startChild(NODE, [CLI, 'watch', String(target.pid), '--interval', '50'], {
      env,
      readyPattern: /^tasktree watch/,
    });
    assert.equal(await inspectorAnswers(port), true, 'open while watching');
    watcher.process.kill('SIGINT');
    const { code } = await watcher.exited;
    assert.equal(code, 0, watcher.stderr());
    await waitUntil('the inspector is closed', async () => !(await inspectorAnswers(port)));
    assert.ok(target.alive());
  });
});
