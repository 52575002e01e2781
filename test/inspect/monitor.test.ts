// The monitor socket, against a real host process: permissions, the protocol, limits, bad input.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Child } from '../cli/helpers.js';
import { isolatedEnv, killAll, privateRuntimeDir, removeDir, startFixture, waitUntil } from '../cli/helpers.js';

/** A line-oriented client of the monitor socket. */
interface Client {
  send(text: string): void;
  /** The next answer, parsed. */
  next(): Promise<Answer>;
  /** Resolves when the server closed the connection. */
  readonly ended: Promise<void>;
  destroy(): void;
}

interface Answer {
  id: unknown;
  ok: boolean;
  result?: unknown;
  error?: { code: string; message: string };
}

function connect(path: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket: Socket = createConnection(path);
    const lines: string[] = [];
    const waiters: Array<{ resolve: (line: string) => void; reject: (error: Error) => void }> = [];
    let partial = '';
    let isEnded = false;
    let markEnded!: () => void;
    const ended = new Promise<void>((r) => (markEnded = r));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        const waiter = waiters.shift();
        if (waiter !== undefined) waiter.resolve(line);
        else lines.push(line);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      isEnded = true;
      for (const waiter of waiters.splice(0)) waiter.reject(new Error('the monitor closed the connection without answering'));
      markEnded();
    });
    socket.once('connect', () =>
      resolve({
        send: (text) => socket.write(text),
        next: () =>
          new Promise<Answer>((resolve, reject) => {
            const line = lines.shift();
            if (line !== undefined) resolve(JSON.parse(line) as Answer);
            else if (isEnded) reject(new Error('the monitor closed the connection without answering'));
            else waiters.push({ resolve: (l) => resolve(JSON.parse(l) as Answer), reject });
          }),
        ended,
        destroy: () => socket.destroy(),
      }),
    );
    socket.once('error', reject);
  });
}

async function ask(path: string, request: unknown): Promise<Answer> {
  const client = await connect(path);
  try {
    client.send(`${typeof request === 'string' ? request : JSON.stringify(request)}\n`);
    return await client.next();
  } finally {
    client.destroy();
  }
}

describe('the monitor', () => {
  let runtimeDir = '';
  let env: NodeJS.ProcessEnv = {};
  let host: Child;
  let path = '';
  let worker = '';

  before(async () => {
    runtimeDir = privateRuntimeDir();
    env = isolatedEnv(runtimeDir);
    host = await startFixture('monitor-host', { env, stdin: true });
    ({ path, worker } = JSON.parse(host.ready) as { path: string; worker: string });
  });

  after(async () => {
    await killAll();
    removeDir(runtimeDir);
  });

  it('listens on <runtime dir>/tasktree/<pid>.sock, mode 0600, in a 0700 directory', () => {
    assert.equal(path, join(runtimeDir, 'tasktree', `${host.pid}.sock`));
    assert.ok(statSync(path).isSocket());
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(join(runtimeDir, 'tasktree')).mode & 0o777, 0o700);
  });

  it('answers ping with the pid, the Node version and the format version', async () => {
    const answer = await ask(path, { id: 1, cmd: 'ping' });
    assert.deepEqual(answer.ok, true);
    assert.deepEqual(answer.id, 1);
    const result = answer.result as { pid: number; node: string; formatVersion: number };
    assert.equal(result.pid, host.pid);
    assert.match(result.node, /^v\d+\./);
    assert.equal(result.formatVersion, 1);
  });

  it('answers requests sent together, in order, echoing their ids', async () => {
    const client = await connect(path);
    client.send('{"id":"a","cmd":"ping"}\n{"id":2,"cmd":"snapshot"}\r\n\n{"cmd":"where","task":');
    client.send(`${JSON.stringify(worker)}}\n`);
    const answers = [await client.next(), await client.next(), await client.next()];
    assert.deepEqual(
      answers.map((a) => [a.id, a.ok]),
      [['a', true], [2, true], [null, true]],
    );
    assert.equal((answers[2]?.result as { task: { name: string } }).task.name, 'worker');
    client.destroy();
  });

  it('answers malformed JSON with BAD_JSON and keeps the connection', async () => {
    const client = await connect(path);
    client.send('{"cmd": ping}\n');
    const bad = await client.next();
    assert.equal(bad.ok, false);
    assert.equal(bad.error?.code, 'BAD_JSON');
    assert.match(bad.error?.message ?? '', /^request is not valid JSON/);
    client.send('{"id":3,"cmd":"ping"}\n');
    assert.equal((await client.next()).ok, true);
    client.destroy();
  });

  it('answers an unknown command with UNKNOWN_COMMAND and a bad request with BAD_REQUEST', async () => {
    const unknown = await ask(path, { id: 4, cmd: 'eval', code: 'process.exit()' });
    assert.deepEqual(unknown.error, {
      code: 'UNKNOWN_COMMAND',
      message: 'unknown command "eval"; expected one of ps, pstree, snapshot, where, cancel, record, ping',
    });
    assert.equal(unknown.id, 4);
    assert.equal((await ask(path, [1, 2])).error?.code, 'BAD_REQUEST');
    assert.equal((await ask(path, { cmd: 'where' })).error?.code, 'BAD_REQUEST');
  });

  it('answers an unknown task id with UNKNOWN_TASK, for where and cancel', async () => {
    for (const cmd of ['where', 'cancel']) {
      const answer = await ask(path, { id: 5, cmd, task: 'nope.1' });
      assert.deepEqual(answer, { id: 5, ok: false, error: { code: 'UNKNOWN_TASK', message: 'no live task with id "nope.1"' } });
    }
  });

  it('answers a line over 64 KiB with TOO_LARGE and closes the connection, and the host lives on', async () => {
    for (const line of [`{"cmd":"ping","pad":"${'x'.repeat(70_000)}"}\n`, 'y'.repeat(200_000)]) {
      const client = await connect(path);
      client.send(line);
      const answer = await client.next();
      assert.equal(answer.ok, false);
      assert.equal(answer.error?.code, 'TOO_LARGE');
      await client.ended;
    }
    assert.ok(host.alive());
    assert.equal((await ask(path, { cmd: 'ping' })).ok, true);
  });

  it('accepts at most 16 connections at a time, and answers a 17th with one error line before closing it', async () => {
    const clients = await Promise.all(Array.from({ length: 16 }, () => connect(path)));
    for (const client of clients) client.send('{"cmd":"ping"}\n');
    for (const client of clients) assert.equal((await client.next()).ok, true);
    const extra = await connect(path);
    extra.send('{"cmd":"ping"}\n');
    assert.deepEqual(await extra.next(), {
      id: null,
      ok: false,
      error: {
        code: 'TOO_MANY_CONNECTIONS',
        message: 'the monitor serves 16 connections already, the most it takes; close one (a tasktree watch?) or try again later',
      },
    });
    await extra.ended;
    for (const client of clients) client.destroy();
    await waitUntil('a slot is free again', async () => {
      try {
        return (await ask(path, { cmd: 'ping' })).ok;
      } catch {
        return false;
      }
    });
  });

  it('survives clients that hang up before reading their answer', async () => {
    for (let i = 0; i < 20; i++) {
      const client = await connect(path);
      client.send('{"cmd":"snapshot"}\n{"cmd":"ps"}\n');
      client.destroy();
    }
    assert.equal((await ask(path, { cmd: 'ping' })).ok, true);
    assert.ok(host.alive());
  });

  it('close() removes the socket file, and the host process carries on', async () => {
    host.process.stdin?.write('close\n');
    await host.waitForLine(/^closed$/);
    assert.equal(existsSync(path), false);
    assert.ok(host.alive());
  });
});

describe('starting the monitor', () => {
  let runtimeDir = '';
  let env: NodeJS.ProcessEnv = {};

  before(() => {
    runtimeDir = privateRuntimeDir();
    env = isolatedEnv(runtimeDir);
  });

  after(async () => {
    await killAll();
    removeDir(runtimeDir);
  });

  it('replaces the stale socket of a killed process, and sweeps sockets of dead pids', async () => {
    const path = join(runtimeDir, 'custom.sock');
    const first = await startFixture('monitor-host', { env: { ...env, MONITOR_PATH: path } });
    first.process.kill('SIGKILL');
    await first.exited;
    assert.ok(existsSync(path), 'a killed process leaves its socket behind');
    const second = await startFixture('monitor-host', { env: { ...env, MONITOR_PATH: path } });
    assert.equal(((await ask(path, { cmd: 'ping' })).result as { pid: number }).pid, second.pid);

    const third = await startFixture('monitor-host', { env });
    const stale = (JSON.parse(third.ready) as { path: string }).path;
    third.process.kill('SIGKILL');
    await third.exited;
    assert.ok(existsSync(stale));
    await startFixture('monitor-host', { env });
    assert.equal(existsSync(stale), false, 'the next monitor in the directory removed it');
  });

  it('refuses a path where another live monitor listens', async () => {
    const path = join(runtimeDir, 'taken.sock');
    await startFixture('monitor-host', { env: { ...env, MONITOR_PATH: path } });
    const second = startFixture('monitor-host', { env: { ...env, MONITOR_PATH: path } });
    await assert.rejects(second, /another process is already listening on .*taken\.sock/);
  });

  it('starts from TASKTREE_MONITOR=1 when tasktree is loaded', async () => {
    const target = await startFixture('cli-target', { env: { ...env, TASKTREE_MONITOR: '1' } });
    const path = join(runtimeDir, 'tasktree', `${target.pid}.sock`);
    await waitUntil('the socket exists', () => existsSync(path));
    assert.equal(((await ask(path, { cmd: 'ping' })).result as { pid: number }).pid, target.pid);
  });

  it('warns instead of failing when the directory is unsafe', async () => {
    const unsafe = privateRuntimeDir();
    mkdirSync(join(unsafe, 'tasktree'));
    chmodSync(join(unsafe, 'tasktree'), 0o755);
    try {
      const target = await startFixture('cli-target', { env: { ...env, XDG_RUNTIME_DIR: unsafe, TASKTREE_MONITOR: '1' } });
      await waitUntil('the warning is printed', () => target.stderr().includes('TASKTREE_MONITOR'));
      assert.match(target.stderr(), /could not start the monitor: .*has mode 755, expected 700/);
      assert.ok(target.alive());
    } finally {
      removeDir(unsafe);
    }
  });
});

describe('the monitor and worker threads', () => {
  let runtimeDir = '';

  before(() => {
    runtimeDir = privateRuntimeDir();
  });

  after(async () => {
    await killAll();
    removeDir(runtimeDir);
  });

  it('belongs to the main thread: with TASKTREE_MONITOR=1, workers that load tasktree stay silent and serve nothing', async () => {
    const env = { ...process.env, XDG_RUNTIME_DIR: runtimeDir, TASKTREE_MONITOR: '1' };
    const host = await startFixture('monitor-workers', { env });
    const ready = JSON.parse(host.ready) as { monitor: string; workers: Array<{ monitor: string | null; startMonitor: string }> };
    assert.equal(ready.monitor, join(runtimeDir, 'tasktree', `${host.pid}.sock`));
    assert.equal(ready.workers.length, 3);
    for (const worker of ready.workers) {
      assert.equal(worker.monitor, null);
      assert.equal(
        worker.startMonitor,
        `startMonitor(): pid ${host.pid}'s monitor socket belongs to its main thread; call it there, or give this worker a path of its own (startMonitor({ path }))`,
      );
    }
    const snapshot = (await ask(ready.monitor, { cmd: 'snapshot' })).result as { tasks: Array<{ name: string }> };
    assert.deepEqual(
      snapshot.tasks.map((t) => t.name),
      ['main', 'in-main'],
    );
    assert.doesNotMatch(host.stderr(), /could not start the monitor|already listening/);
    assert.equal(host.stderr(), '');
  });
});
