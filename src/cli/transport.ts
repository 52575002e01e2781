/**
 * How the CLI reaches a process's agent: the monitor socket when the process opened one, else
 * Node's inspector. Both carry the same JSON-lines requests (see src/inspect/agent.ts).
 */
import { lstatSync } from 'node:fs';
import { createConnection } from 'node:net';
import type { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { monitorDirectoryCandidates, verifyMonitorDirectory } from '../inspect/socket-path.js';
import type { Connection } from './args.js';
import { CliError, ExitCode } from './exit-codes.js';
import { ConnectionLost } from './connection-lost.js';
import { assertNodeProcess, checkProcess, inspectorAddress, permissionDenied, readProcessIdentity } from './process-info.js';

/** A connection to one process's agent. */
export interface Transport {
  readonly kind: 'socket' | 'inspector';
  /** Sends one request line and resolves with the response line. */
  request(line: string, timeoutMs: number): Promise<string>;
  /** Ends the connection (and closes the inspector again if the CLI opened it). */
  close(): Promise<void>;
}

const MAX_RESPONSE_CHARS = 256 * 1024 * 1024;

class SocketTransport implements Transport {
  readonly kind = 'socket';
  private parts: string[] = [];
  private size = 0;
  private readonly waiting: Array<{ resolve: (line: string) => void; reject: (error: Error) => void }> = [];
  /** Lines that came before anyone asked (the monitor's refusal of a connection comes unasked). */
  private readonly unasked: string[] = [];
  private error: Error | null = null;

  constructor(
    private readonly socket: Socket,
    private readonly pid: number,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.receive(chunk));
    socket.on('error', (error) => this.fail(new ConnectionLost(`the monitor connection failed: ${error.message}`)));
    socket.on('close', () => this.fail(new ConnectionLost('the monitor closed the connection')));
  }

  private receive(chunk: string): void {
    let start = 0;
    for (let newline = chunk.indexOf('\n'); newline !== -1; newline = chunk.indexOf('\n', start)) {
      this.parts.push(chunk.slice(start, newline));
      const line = this.parts.join('');
      this.parts = [];
      this.size = 0;
      start = newline + 1;
      const waiter = this.waiting.shift();
      if (waiter === undefined) this.unasked.push(line);
      else waiter.resolve(line);
    }
    if (start < chunk.length) {
      this.parts.push(chunk.slice(start));
      this.size += chunk.length - start;
      if (this.size > MAX_RESPONSE_CHARS) {
        this.fail(new Error(`pid ${this.pid} sent an answer larger than ${MAX_RESPONSE_CHARS} characters`));
        this.socket.destroy();
      }
    }
  }

  private fail(error: Error): void {
    this.error ??= error;
    for (const waiter of this.waiting.splice(0)) waiter.reject(this.error);
  }

  request(line: string, timeoutMs: number): Promise<string> {
    // A line that came unasked answers first: it is the monitor refusing the connection.
    const early = this.unasked.shift();
    if (early !== undefined) return Promise.resolve(early);
    if (this.error !== null) return Promise.reject(this.error);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(
          new CliError(
            `timed out after ${timeoutMs} ms waiting for pid ${this.pid} to answer over its monitor socket ` +
              '(its event loop is probably blocked; --transport inspector shows where)',
            ExitCode.timedOut,
          ),
        );
        this.socket.destroy();
      }, timeoutMs);
      this.waiting.push({
        resolve: (answer) => {
          clearTimeout(timer);
          resolve(answer);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.socket.write(`${line}\n`);
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) resolve();
      else {
        this.socket.once('close', () => resolve());
        this.socket.end();
        setTimeout(() => this.socket.destroy(), 1000).unref();
      }
    });
  }
}

/** Connects to the monitor socket at `path`; resolves null when nothing listens there. */
function connectSocket(path: string, pid: number, timeoutMs: number): Promise<SocketTransport | null> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(null);
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(new SocketTransport(socket, pid));
    });
    socket.once('error', () => {
      clearTimeout(timer);
      resolve(null);
    });
  });
}

/** The monitor socket paths `pid` may use, the preferred one first. */
export function socketCandidates(pid: number): string[] {
  return monitorDirectoryCandidates().map((directory) => join(directory, `${pid}.sock`));
}

/** Whether `path` is a socket in a directory only this user can enter (else anyone could fake it). */
function trustedSocket(path: string): boolean {
  try {
    verifyMonitorDirectory(dirname(path));
    return lstatSync(path).isSocket();
  } catch {
    return false;
  }
}

/** Where a command reports what it did on the way (one line each, on stderr). */
export type Notice = (line: string) => void;

/**
 * Connects to the agent of `connection.pid`, checking first that the process exists; with no forced
 * transport, the monitor socket is tried first and the inspector second.
 * @throws CliError for every expected failure (no such process, not Node, timed out, …).
 */
export async function connect(connection: Connection, notice: Notice): Promise<Transport> {
  const { pid, timeoutMs } = connection;
  const { signallable } = checkProcess(pid);
  if (connection.transport !== 'inspector') {
    for (const path of socketCandidates(pid)) {
      if (!trustedSocket(path)) continue;
      const transport = await connectSocket(path, pid, timeoutMs);
      if (transport !== null) return transport;
    }
    if (connection.transport === 'socket') {
      if (!signallable) throw permissionDenied(pid);
      throw new CliError(
        `no tasktree monitor answers for pid ${pid} (looked for ${socketCandidates(pid).join(', ')}); ` +
          'start one with TASKTREE_MONITOR=1 or startMonitor()',
        ExitCode.notLoaded,
      );
    }
  }
  return connectThroughInspector(connection, signallable, notice);
}

/** The inspector transport, after the checks that make sending SIGUSR1 safe. */
export async function connectThroughInspector(connection: Connection, signallable: boolean, notice: Notice): Promise<Transport> {
  const { pid, timeoutMs } = connection;
  if (!signallable) throw permissionDenied(pid);
  const identity = readProcessIdentity(pid);
  assertNodeProcess(pid, identity);
  // Loaded only here: the socket transport needs none of Node's HTTP stack.
  const { connectInspector } = await import('./inspector.js');
  return connectInspector(pid, inspectorAddress(identity), timeoutMs, notice);
}
