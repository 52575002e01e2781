/**
 * The monitor endpoint: a Unix socket (`<monitorDirectory()>/<pid>.sock`, mode 0600, in a 0700
 * per-user directory) speaking the agent's JSON-lines protocol. `tasktree PID` prefers it to the
 * inspector: it needs no signal and opens no debugger port.
 *
 * Limits: request lines up to 64 KiB (a longer one is answered with `TOO_LARGE` and the connection
 * is closed), at most 16 connections at a time (a 17th is answered with one `TOO_MANY_CONNECTIONS`
 * line and closed), idle connections closed after 5 minutes. The server never keeps the process
 * alive, and the socket file is removed by `close()` and at process exit.
 *
 * The socket belongs to the process's main thread: `TASKTREE_MONITOR=1` starts nothing in a worker
 * thread, and `startMonitor()` there needs a `path` of its own.
 */
import { chmodSync, lstatSync, readdirSync, unlinkSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { MAX_REQUEST_BYTES, handleRequestAsync } from './agent.js';
import { ensureMonitorDirectory } from './socket-path.js';

/** A running monitor endpoint. */
export interface Monitor {
  /** The socket's path. */
  readonly path: string;
  /** Stops the server, closes its connections and removes the socket file. */
  close(): Promise<void>;
}

/** Options of {@link startMonitor}. */
export interface MonitorOptions {
  /** Where to put the socket; default `monitorSocketPath(process.pid)`. */
  readonly path?: string;
}

const MAX_CONNECTIONS = 16;
const IDLE_TIMEOUT_MS = 5 * 60_000;

const running = new Map<string, Promise<Monitor>>();
let exitHookInstalled = false;

function removeSocketFiles(): void {
  for (const path of running.keys()) {
    try {
      unlinkSync(path);
    } catch {
      // Already gone.
    }
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

/** Resolves true when something accepts connections at `path`. */
function listening(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createConnection(path);
    const done = (alive: boolean): void => {
      probe.destroy();
      resolve(alive);
    };
    probe.setTimeout(1000, () => done(true));
    probe.once('connect', () => done(true));
    probe.once('error', () => done(false));
  });
}

/** Makes `path` free for a new socket: removes a stale socket, refuses a live one or a non-socket. */
async function clearStaleSocket(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch (error) {
    if (isMissing(error)) return;
    throw error;
  }
  if (!isSocket) throw new Error(`tasktree monitor: ${path} exists and is not a socket; refusing to replace it`);
  if (await listening(path)) throw new Error(`tasktree monitor: another process is already listening on ${path}`);
  try {
    unlinkSync(path);
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
}

/** Best effort: removes `PID.sock` files of processes that no longer exist. */
function sweepDeadSockets(directory: string): void {
  let entries: string[];
  try {
    entries = readdirSync(directory);
  } catch {
    return;
  }
  for (const entry of entries) {
    const match = /^(\d+)\.sock$/.exec(entry);
    const pid = Number(match?.[1]);
    if (match === null || !Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') continue;
      try {
        if (lstatSync(join(directory, entry)).isSocket()) unlinkSync(join(directory, entry));
      } catch {
        // Raced with another sweeper.
      }
    }
  }
}

function serve(socket: Socket): void {
  socket.unref();
  socket.setTimeout(IDLE_TIMEOUT_MS, () => socket.destroy());
  socket.on('error', () => {
    // A client going away mid-answer is not the host's problem.
  });
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let closed = false;
  // Answers go out in the order the requests came (a snapshot with stacks takes a while).
  let answers: Promise<void> = Promise.resolve();
  const answer = (line: string): void => {
    answers = answers
      .then(() => handleRequestAsync(line))
      .then((reply) => {
        if (!socket.destroyed && !socket.writableEnded) socket.write(`${reply}\n`);
      });
  };

  const tooLarge = (): void => {
    closed = true;
    pending = [];
    const error = { code: 'TOO_LARGE', message: `request line is longer than ${MAX_REQUEST_BYTES} bytes; closing the connection` };
    socket.pause();
    socket.end(`${JSON.stringify({ id: null, ok: false, error })}\n`, () => socket.destroy());
  };

  socket.on('data', (chunk: Buffer) => {
    let start = 0;
    while (!closed) {
      const newline = chunk.indexOf(0x0a, start);
      if (newline === -1) {
        pendingBytes += chunk.length - start;
        if (pendingBytes > MAX_REQUEST_BYTES) tooLarge();
        else if (start < chunk.length) pending.push(chunk.subarray(start));
        return;
      }
      const lineBytes = pendingBytes + newline - start;
      if (lineBytes > MAX_REQUEST_BYTES) {
        tooLarge();
        return;
      }
      const line = Buffer.concat([...pending, chunk.subarray(start, newline)]).toString('utf8').replace(/\r$/, '');
      pending = [];
      pendingBytes = 0;
      start = newline + 1;
      if (line.trim() !== '') answer(line);
    }
  });
}

/** Answers a connection over the limit with one error line, then closes it. */
function refuse(socket: Socket): void {
  socket.unref();
  socket.on('error', () => {
    // The client may be gone already.
  });
  const error = {
    code: 'TOO_MANY_CONNECTIONS',
    message: `the monitor serves ${MAX_CONNECTIONS} connections already, the most it takes; close one (a tasktree watch?) or try again later`,
  };
  // Whatever the client sends is read and dropped, so that it sees this line rather than a reset.
  socket.resume();
  socket.end(`${JSON.stringify({ id: null, ok: false, error })}\n`);
  socket.setTimeout(5000, () => socket.destroy());
}

async function start(path: string, sweepDirectory: string | null): Promise<Monitor> {
  if (sweepDirectory !== null) sweepDeadSockets(sweepDirectory);
  await clearStaleSocket(path);
  const connections = new Set<Socket>();
  const refused = new Set<Socket>();
  const server: Server = createServer((socket) => {
    if (connections.size >= MAX_CONNECTIONS) {
      refused.add(socket);
      socket.once('close', () => refused.delete(socket));
      refuse(socket);
      return;
    }
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
    serve(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => {
    // After listening, errors concern single connections; they are handled per socket.
  });
  server.unref();
  try {
    chmodSync(path, 0o600);
  } catch (error) {
    server.close();
    throw error;
  }

  let closing: Promise<void> | null = null;
  return {
    path,
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        running.delete(path);
        for (const socket of [...connections, ...refused]) socket.destroy();
        server.close(() => resolve());
        try {
          unlinkSync(path);
        } catch {
          // Already gone.
        }
      });
      return closing;
    },
  };
}

/**
 * Starts the monitor endpoint of this process (see the module comment) and resolves once it
 * listens. Calling it again for the same path returns the same monitor.
 *
 * @throws Error when the directory is unsafe (owned by another user or reachable by others),
 * another live process already listens on the path, or it is called in a worker thread without a
 * `path` (the default path is the main thread's).
 * @example
 * const monitor = await startMonitor();
 * // elsewhere: `tasktree pstree <pid>`
 * await monitor.close();
 */
export function startMonitor(options: MonitorOptions = {}): Promise<Monitor> {
  let path: string;
  let sweepDirectory: string | null = null;
  try {
    if (options.path !== undefined) path = options.path;
    else if (!isMainThread) {
      throw new Error(
        `startMonitor(): pid ${process.pid}'s monitor socket belongs to its main thread; call it there, ` +
          'or give this worker a path of its own (startMonitor({ path }))',
      );
    } else {
      sweepDirectory = ensureMonitorDirectory();
      path = join(sweepDirectory, `${process.pid}.sock`);
    }
  } catch (error) {
    return Promise.reject(error);
  }
  const existing = running.get(path);
  if (existing !== undefined) return existing;
  const monitor = start(path, sweepDirectory);
  running.set(path, monitor);
  monitor.catch(() => running.delete(path));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', removeSocketFiles);
  }
  return monitor;
}

/** @internal
 * Starts the monitor when the environment variable `TASKTREE_MONITOR` is `1`, in the main thread
 * only (worker threads share the environment and the pid, not the task registry: they stay
 * silent). Never throws and never rejects: a failure is reported with `process.emitWarning`.
 * Resolves to the monitor, or `null` when it was not asked for, this is a worker thread, or it
 * could not start.
 */
export function startMonitorFromEnv(): Promise<Monitor | null> {
  if (process.env['TASKTREE_MONITOR'] !== '1' || !isMainThread) return Promise.resolve(null);
  return startMonitor().then(
    (monitor) => monitor,
    (error: unknown) => {
      try {
        process.emitWarning(`could not start the monitor: ${error instanceof Error ? error.message : String(error)}`, {
          code: 'TASKTREE_MONITOR',
        });
      } catch {
        // Never let reporting fail the host.
      }
      return null;
    },
  );
}
