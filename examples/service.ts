// An HTTP service written with tasktree: the model of how to use it.
//
// Every request is a named task (`request#42`) in one long-lived group; inside it, the work is
// split into named subtasks (auth, db-query, render) that run concurrently and are cancelled
// together when one fails or the client goes away. On SIGTERM/SIGINT, `run()` cancels the root
// task: the server stops accepting, in-flight requests are cancelled and answered, and once every
// task has settled the service prints its own shutdown line and exits 0 — nothing is left running.
// (It handles the signal's cancellation itself: `exitOnSignal: false`. Without it, `run()` would
// end the process with one line of its own and exit code 143 / 130.)
//
// Endpoints: /user/ID (auth + db + render), /slow (a 5 s query), /deadlock (two tasks awaiting
// each other: see it with `tasktree pstree PID`), /block (300 ms of synchronous work: see it with
// TASKTREE_DEBUG=1), /fail (a failing subtask cancels its sibling).
//
// Run: node dist/examples/service.js [port]   then   tasktree pstree <pid>
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CancelledError, TaskGroup, TaskGroupError, run, sleep, spawn, waitFor, type Task } from '../src/index.js';

/** A pretend database: answers after `ms`, stops early when the caller is cancelled. */
function query(sql: string, ms: number, signal: AbortSignal): Promise<{ sql: string; rows: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve({ sql, rows: 1 }), ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}

/** Synchronous work that keeps the event loop busy for `ms`. */
function renderTemplate(ms: number): string {
  const end = Date.now() + ms;
  let spins = 0;
  while (Date.now() < end) spins++;
  return `<p>rendered after ${spins} spins</p>`;
}

async function userPage(id: string, task: Task): Promise<string> {
  // Three subtasks in the request's own scope: they run concurrently, and if one fails the
  // others are cancelled and the request fails with every error.
  const auth = spawn('auth', () => sleep(20));
  const user = spawn('db-query', (t) => waitFor(query(`select * from users where id = ${id}`, 4000, t.signal), 'db.query users'));
  const posts = spawn('db-posts', (t) => waitFor(query('select * from posts', 3500, t.signal), 'db.query posts'));
  await auth;
  const [row, list] = await Promise.all([user, posts]);
  const render = spawn('render', async () => `<h1>user ${id}</h1><p>${row.rows} row, ${list.rows} posts</p>`);
  task.signal.throwIfAborted();
  return await render;
}

async function deadlock(): Promise<string> {
  // Two tasks awaiting each other never finish: `tasktree pstree` prints the cycle.
  const locks: { a?: Task<void>; b?: Task<void> } = {};
  locks.a = spawn('lock-a', async () => {
    await sleep(10);
    await locks.b;
  });
  locks.b = spawn('lock-b', async () => {
    await sleep(10);
    await locks.a;
  });
  await locks.a;
  return 'unreachable';
}

async function handle(req: IncomingMessage, res: ServerResponse, task: Task): Promise<void> {
  // The client hung up: cancel the request's task and everything under it.
  res.on('close', () => {
    if (!res.writableFinished) task.cancel('client closed the connection');
  });
  const url = new URL(req.url ?? '/', 'http://localhost');
  try {
    let body: string;
    if (url.pathname.startsWith('/user/')) body = await userPage(url.pathname.slice(6), task);
    else if (url.pathname === '/slow') body = JSON.stringify(await waitFor(query('select pg_sleep(5)', 5000, task.signal), 'db.query slow'));
    else if (url.pathname === '/deadlock') body = await deadlock();
    else if (url.pathname === '/block') body = await spawn('render', async () => renderTemplate(300));
    else if (url.pathname === '/fail') {
      await TaskGroup.run('fail', async (group) => {
        group.spawn('slow-sibling', (t) => query('select 1', 5000, t.signal));
        group.spawn('broken', async () => {
          await sleep(5);
          throw new Error('upstream returned 502');
        });
      });
      body = 'unreachable';
    } else {
      res.writeHead(404).end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' }).end(`${body}\n`);
  } catch (error) {
    if (res.headersSent || res.destroyed) return;
    if (error instanceof CancelledError) res.writeHead(503).end(`cancelled: ${error.message}\n`);
    else if (error instanceof TaskGroupError) res.writeHead(502).end(`${error.message}\n`);
    else throw error;
  }
}

const port = Number(process.argv[2] ?? 0);
let count = 0;

// `exitOnSignal: false`: the service handles SIGTERM/SIGINT itself. run() still cancels the root
// task and waits for every task; then it rejects with the CancelledError (reason `signal`), and the
// catch below prints the shutdown line; the process exits 0.
try {
  await run(async () => {
    // The group every request lives in. A failed request does not take the service down
    // (cancelOnError: false: a supervisor); on shutdown the group is cancelled with the root.
    await TaskGroup.run(
      'http',
      async (requests) => {
        const server = createServer((req, res) => {
          requests.spawn(`request#${++count}`, (task) => handle(req, res, task), {
            attributes: { method: req.method ?? '?', url: req.url ?? '?' },
          });
        });
        await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
        console.log(JSON.stringify({ ready: true, pid: process.pid, port: (server.address() as AddressInfo).port }));
        try {
          // Serve until the root task is cancelled (SIGTERM/SIGINT): this wait then throws.
          await waitFor(new Promise<never>(() => {}), 'shutdown signal');
        } finally {
          // Stop accepting. Leaving the body, the group still waits for the requests in flight,
          // which see their cancellation and answer 503.
          server.close();
          server.closeIdleConnections();
          requests.signal.addEventListener('abort', () => server.closeAllConnections());
        }
      },
      { cancelOnError: false },
    );
  }, { exitOnSignal: false });
} catch (error) {
  if (!(error instanceof CancelledError)) throw error;
  console.log(`service stopped after ${count} requests: ${error.message}`);
}
