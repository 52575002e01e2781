// `npm run demo`: starts the example service (examples/service.ts), drives a burst of concurrent
// requests at it, looks inside it while they are in flight with the `tasktree` CLI (no code
// change in the service: the CLI goes through Node's inspector), shows the SIGUSR2 dump, breaks
// a deadlock with `tasktree cancel`, and shuts the service down gracefully. Then, in debug mode,
// it shows the report that names the task that blocked the event loop.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';

const node = process.execPath;
const servicePath = fileURLToPath(new URL('./service.js', import.meta.url));
const cliPath = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

function section(title: string): void {
  console.log(`\n━━ ${title} ${'━'.repeat(Math.max(0, 90 - title.length))}`);
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

/** Runs the tasktree CLI; resolves with its stdout (rejects with stderr on a non-zero exit). */
function cli(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(node, [cliPath, ...args], { timeout: 20_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`tasktree ${args.join(' ')} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

interface Reply {
  readonly path: string;
  readonly status: number | string;
  readonly body: string;
  readonly ms: number;
}

/** One GET; never rejects (connection errors become the status). */
function get(port: number, path: string): Promise<Reply> {
  const start = Date.now();
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ path, status: res.statusCode ?? 0, body: body.trim(), ms: Date.now() - start }));
    });
    req.on('error', (error) => resolve({ path, status: (error as NodeJS.ErrnoException).code ?? error.message, body: '', ms: Date.now() - start }));
    req.end();
  });
}

interface Snapshot {
  tasks: { id: string; name: string; path: string }[];
}

async function snapshot(pid: number): Promise<Snapshot> {
  return JSON.parse(await cli('ps', String(pid), '--json')) as Snapshot;
}

interface Service {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly port: number;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<number | null>;
}

function startService(env: NodeJS.ProcessEnv = {}): Promise<Service> {
  const child = spawn(node, ['--enable-source-maps', servicePath], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  let stdout = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (line !== undefined && stdout.includes('\n')) {
        const ready = JSON.parse(line) as { pid: number; port: number };
        resolve({ child, pid: ready.pid, port: ready.port, stdout: () => stdout, stderr: () => stderr, exited });
      }
    });
    void exited.then((code) => reject(new Error(`the service exited early (code ${code}):\n${stderr}`)));
  });
}

async function waitUntil<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

const service = await startService();
const { pid, port } = service;
console.log(`tasktree demo: the example service runs as pid ${pid} on http://127.0.0.1:${port}`);

try {
  section('1. a burst of concurrent requests');
  const paths = [
    ...Array.from({ length: 12 }, (_, i) => `/user/${i + 1}`),
    '/slow',
    '/slow',
    '/fail',
    '/deadlock',
  ];
  console.log(`  GET ${paths.join(', ')}`);
  const replies = paths.map((path) => get(port, path));

  // Wait until every request is in flight (its task exists), asking the live process.
  await waitUntil('the requests to arrive', async () => {
    const tasks = (await snapshot(pid)).tasks;
    const inFlight = tasks.filter((t) => t.name.startsWith('request#')).length;
    const deadlocked = tasks.some((t) => t.name === 'lock-b');
    return inFlight >= paths.length - 1 && deadlocked ? true : undefined;
  });

  section(`2. tasktree pstree ${pid}   (while the requests are in flight)`);
  console.log(indent(await cli('pstree', String(pid))));

  section(`3. tasktree ps ${pid}`);
  console.log(indent(await cli('ps', String(pid))));

  const tasks = (await snapshot(pid)).tasks;
  const lockA = tasks.find((t) => t.name === 'lock-a');
  if (lockA === undefined) throw new Error('the deadlocked task is gone');
  section(`4. tasktree where ${pid} ${lockA.id}   (one of the deadlocked tasks)`);
  console.log(indent(await cli('where', String(pid), lockA.id)));

  section(`5. kill -USR2 ${pid}   (the dump run() installs, written to the service's stderr)`);
  const before = service.stderr().length;
  process.kill(pid, 'SIGUSR2');
  const dump = await waitUntil('the dump', async () => {
    const text = service.stderr().slice(before);
    return /Deadlock/.test(text) ? text : undefined;
  });
  console.log(indent(dump));

  section(`6. tasktree cancel ${pid} ${lockA.id} --reason "break the deadlock"`);
  console.log(indent(await cli('cancel', String(pid), lockA.id, '--reason', 'break the deadlock')));

  section('7. the replies');
  for (const reply of await Promise.all(replies)) {
    console.log(`  ${String(reply.status).padEnd(4)} ${reply.path.padEnd(10)} ${String(reply.ms).padStart(5)} ms  ${reply.body.split('\n')[0]?.slice(0, 90)}`);
  }

  section(`8. kill -TERM ${pid}   (graceful shutdown: run() cancels the root, every task settles; the service handles the signal itself, exitOnSignal: false)`);
  const slow = get(port, '/slow');
  await waitUntil('the last request to arrive', async () =>
    (await snapshot(pid)).tasks.some((t) => t.name.startsWith('request#')) ? true : undefined,
  );
  process.kill(pid, 'SIGTERM');
  const last = await slow;
  console.log(`  in flight at shutdown: ${last.status} ${last.path} → ${last.body}`);
  const code = await service.exited;
  console.log(`  the service exited with code ${code}; its last line: ${service.stdout().trim().split('\n').at(-1) ?? ''}`);
  if (code !== 0) process.exitCode = 1;

  section('9. debug mode: TASKTREE_DEBUG=1, and a request that blocks the event loop for 300 ms');
  const debug = await startService({ TASKTREE_DEBUG: '1' });
  try {
    const reply = await get(debug.port, '/block');
    console.log(`  GET /block → ${reply.status} after ${reply.ms} ms`);
    const report = await waitUntil('the blocked-loop report', async () =>
      /TASKTREE_BLOCKED/.test(debug.stderr()) ? debug.stderr() : undefined,
    );
    console.log(indent(report.split('\n').filter((line) => !line.startsWith('(Use `node')).join('\n')));
    process.kill(debug.pid, 'SIGTERM');
    console.log(`  the debug service exited with code ${await debug.exited}`);
  } finally {
    if (debug.child.exitCode === null) debug.child.kill('SIGKILL');
  }
} catch (error) {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  console.error(service.stderr());
  process.exitCode = 1;
} finally {
  if (service.child.exitCode === null) service.child.kill('SIGKILL');
}
