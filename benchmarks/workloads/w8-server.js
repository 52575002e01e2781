// W8's server: one HTTP server (node:http on loopback) whose handler does the same work in every
// system — auth (parses a header), a db call that awaits a 1 ms timer, render (a small JSON body
// from both) — structured the way each system would write it:
//
//   bare      async functions and Promise.all
//   naive     the naive tracker (lib/naive.js): the request and each step a tracked promise
//   effect    Effect 4: one Effect.runPromise per request, auth and db in Effect.all (concurrent)
//   tasktree  as examples/service.ts does it: run() → one long-lived group ('http',
//             cancelOnError: false), a task per request, auth/db/render spawned in its scope
//   als-floor the tasktree handler's shape with each of its four steps in an AsyncLocalStorage
//             context and nothing else: what no tracker of this shape avoids
//   scope-floor the same shape on benchmarks/lib/scope-floor.js: the least tasktree's default tier
//             must record (scopes, waits, awaited-by edges, timestamps, ids, a history), done the
//             leanest way — no names, events, hooks, cancellation or groups
//
// Started by w8-http.js as `node w8-server.js '{"system":"tasktree"}'` (TASKTREE_MONITOR=1 or
// TASKTREE_DEBUG=1 in its environment for the monitored and debug variants); prints one JSON line
// { ready, pid, port } once listening, and serves until it is killed.

import { createServer } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { naiveSpawn } from '../lib/naive.js';

const { system } = JSON.parse(process.argv[2] ?? '{}');

/** auth: reads the caller from a header (synchronous work in an async step). */
async function authenticate(req) {
  const header = req.headers['authorization'] ?? 'Bearer anonymous';
  return { user: header.slice(7) };
}

/** db: a query that answers after a 1 ms timer. */
async function queryDb(url) {
  await delay(1);
  return { id: url.length, rows: 3 };
}

/** render: the response body from both. */
async function render(who, row) {
  return JSON.stringify({ user: who.user, id: row.id, rows: row.rows, ok: true });
}

function reply(res, body) {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
}

function fail(res, error) {
  if (!res.headersSent) res.writeHead(500).end(String(error?.message ?? error));
}

function listen(handler) {
  const server = createServer(handler);
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(JSON.stringify({ ready: true, system, pid: process.pid, port: server.address().port }) + '\n');
  });
  return server;
}

const systems = {
  bare() {
    listen(async (req, res) => {
      try {
        const [who, row] = await Promise.all([authenticate(req), queryDb(req.url)]);
        reply(res, await render(who, row));
      } catch (error) {
        fail(res, error);
      }
    });
  },

  // The floor of tasktree's shape: the same four steps, each run in its own AsyncLocalStorage
  // context (what every tracked task pays at least: a context frame, the reaction to its end) and
  // awaited as tasktree's handler awaits its tasks — no registry, no names, no scope.
  async 'als-floor'() {
    const { AsyncLocalStorage } = await import('node:async_hooks');
    const als = new AsyncLocalStorage();
    const step = (name, fn) => als.run(name, fn);
    listen((req, res) => {
      step('request', async () => {
        const auth = step('auth', () => authenticate(req));
        const db = step('db', () => queryDb(req.url));
        const who = await auth;
        const row = await db;
        reply(res, await step('render', () => render(who, row)));
      }).catch((error) => fail(res, error));
    });
  },

  // The least tasktree's default tier must record, done the leanest way (benchmarks/lib/scope-floor.js:
  // scopes, interruptible waits, awaited-by edges, timestamps, ids, a history ring), in tasktree's
  // handler shape: one long-lived root task, a task per request, auth/db/render spawned in its scope.
  async 'scope-floor'() {
    const { scopeFloor } = await import('../lib/scope-floor.js');
    const { spawn, root } = scopeFloor();
    root(async (http) => {
      listen((req, res) => {
        spawn(async () => {
          try {
            const auth = spawn(() => authenticate(req));
            const db = spawn(() => queryDb(req.url));
            const who = await auth;
            const row = await db;
            reply(res, await spawn(() => render(who, row)));
          } catch (error) {
            fail(res, error);
          }
        }, http);
      });
      await new Promise(() => {});
    });
  },

  naive() {
    listen((req, res) => {
      naiveSpawn('request', async () => {
        const [who, row] = await Promise.all([naiveSpawn('auth', () => authenticate(req)), naiveSpawn('db', () => queryDb(req.url))]);
        reply(res, await naiveSpawn('render', () => render(who, row)));
      }).catch((error) => fail(res, error));
    });
  },

  async effect() {
    const { Effect } = await import('effect');
    listen((req, res) => {
      const program = Effect.gen(function* () {
        const [who, row] = yield* Effect.all([Effect.promise(() => authenticate(req)), Effect.promise(() => queryDb(req.url))], { concurrency: 'unbounded' });
        return yield* Effect.promise(() => render(who, row));
      });
      Effect.runPromise(program).then(
        (body) => reply(res, body),
        (error) => fail(res, error),
      );
    });
  },

  async tasktree() {
    const { TaskGroup, run, spawn, waitFor } = await import('../../dist/src/index.js');
    await run(
      () =>
        TaskGroup.run(
          'http',
          async (requests) => {
            listen((req, res) => {
              requests.spawn('request', async () => {
                try {
                  const auth = spawn('auth', () => authenticate(req));
                  const db = spawn('db', () => queryDb(req.url));
                  const who = await auth;
                  const row = await db;
                  reply(res, await spawn('render', () => render(who, row)));
                } catch (error) {
                  fail(res, error);
                }
              });
            });
            await waitFor(new Promise(() => {}), 'shutdown');
          },
          { cancelOnError: false },
        ),
      { exitOnSignal: true },
    );
  },
};

const start = systems[system];
if (!start) {
  console.error(`w8-server: unknown system ${system}; known: ${Object.keys(systems).join(', ')}`);
  process.exit(2);
}
await start();
