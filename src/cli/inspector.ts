/**
 * The inspector transport: reach tasktree's agent in a process that did not open a monitor, with
 * no code change — SIGUSR1 opens Node's inspector, one `Runtime.evaluate` calls the agent, and the
 * inspector is closed again if it was not open before.
 */
import { get } from 'node:http';
import { ConnectionLost, MAX_CONNECT_ATTEMPTS } from './connection-lost.js';
import { CliError, ExitCode } from './exit-codes.js';
import { isRunning, permissionDenied } from './process-info.js';
import type { InspectorAddress } from './process-info.js';
import type { Notice, Transport } from './transport.js';
import { WebSocketClient } from './websocket.js';

const POLL_INTERVAL_MS = 50;
/** While the inspector does not come up, SIGUSR1 is sent again this often. */
const RESIGNAL_MS = 500;
/** How often a closing CLI checks that the inspector port has stopped listening. */
const CLOSE_POLL_MS = 10;
const MAX_LIST_BYTES = 1024 * 1024;

/** What `/json/list` answered. */
export interface TargetList {
  /** False when nothing answered HTTP on the port. */
  readonly answered: boolean;
  /** WebSocket URLs of the inspector targets (empty when something else answered). */
  readonly urls: readonly string[];
}

/** GETs `/json/list` of an inspector; never rejects. */
export function listTargets(address: InspectorAddress, timeoutMs: number): Promise<TargetList> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (list: TargetList): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(list);
    };
    const req = get({ host: address.host, port: address.port, path: '/json/list', agent: false, headers: { Connection: 'close' } }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_LIST_BYTES) done({ answered: true, urls: [] });
        else chunks.push(chunk);
      });
      res.on('end', () => {
        let urls: string[] = [];
        try {
          const list: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          if (Array.isArray(list)) {
            urls = list
              .map((target: unknown) => (target as { webSocketDebuggerUrl?: unknown } | null)?.webSocketDebuggerUrl)
              .filter((url): url is string => typeof url === 'string' && url.startsWith('ws://'));
          }
        } catch {
          // Something else answers HTTP on this port.
        }
        done({ answered: true, urls });
      });
      res.on('error', () => done({ answered: true, urls: [] }));
    });
    req.on('error', () => done({ answered: false, urls: [] }));
    const timer = setTimeout(() => done({ answered: false, urls: [] }), timeoutMs);
  });
}

interface CdpReply {
  readonly id?: number;
  readonly result?: {
    readonly result?: { readonly type?: string; readonly value?: unknown };
    readonly exceptionDetails?: { readonly text?: string; readonly exception?: { readonly description?: string } };
  };
  readonly error?: { readonly message?: string };
}

/** One Chrome DevTools Protocol session over a WebSocket. */
class CdpSession {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (reply: CdpReply) => void; reject: (error: Error) => void }>();
  private closedError: Error | null = null;
  readonly closed: Promise<void>;

  constructor(private readonly ws: WebSocketClient) {
    let markClosed!: () => void;
    this.closed = new Promise((resolve) => (markClosed = resolve));
    ws.onmessage = (text) => {
      let reply: CdpReply;
      try {
        reply = JSON.parse(text) as CdpReply;
      } catch {
        return;
      }
      if (typeof reply.id !== 'number') return; // An event.
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      waiter?.resolve(reply);
    };
    ws.onclose = (error) => {
      this.closedError = new ConnectionLost(`the inspector connection closed${error === null ? '' : `: ${error.message}`}`);
      for (const waiter of this.pending.values()) waiter.reject(this.closedError);
      this.pending.clear();
      markClosed();
    };
  }

  /** Evaluates `expression` in the target's main context and returns its value (by value). */
  evaluate(expression: string, timeoutMs: number, timeoutMessage: string, awaitPromise = false): Promise<unknown> {
    if (this.closedError !== null) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new CliError(timeoutMessage, ExitCode.timedOut));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (reply) => {
          clearTimeout(timer);
          if (reply.error !== undefined) reject(new Error(`inspector error: ${reply.error.message ?? 'unknown'}`));
          else if (reply.result?.exceptionDetails !== undefined) {
            const details = reply.result.exceptionDetails;
            reject(new Error(`evaluation failed in the target: ${details.exception?.description ?? details.text ?? 'unknown error'}`));
          } else resolve(reply.result?.result?.value ?? null);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      try {
        this.ws.send(JSON.stringify({ id, method: 'Runtime.evaluate', params: { expression, returnByValue: true, silent: true, awaitPromise } }));
      } catch (error) {
        this.pending.delete(id);
        clearTimeout(timer);
        reject(new ConnectionLost(`the inspector connection closed: ${(error as Error).message}`));
      }
    });
  }

  get isClosed(): boolean {
    return this.closedError !== null;
  }

  /** Sends an evaluation without waiting for its answer. */
  fire(expression: string): boolean {
    if (this.closedError !== null) return false;
    try {
      this.ws.send(
        JSON.stringify({ id: this.nextId++, method: 'Runtime.evaluate', params: { expression, includeCommandLineAPI: true, silent: true } }),
      );
      return true;
    } catch {
      return false;
    }
  }

  close(): void {
    this.ws.close();
  }

  destroy(): void {
    this.ws.destroy();
  }
}

const CLOSE_INSPECTOR =
  "(() => { const m = typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule('node:inspector') : require('node:inspector'); m.close(); })()";

/**
 * The expression that asks the agent. A request that takes a while (a snapshot with stacks) goes to
 * the agent's asynchronous entry and is awaited; every other one is answered synchronously, so that
 * it is answered even from inside a blocked event loop (microtasks do not run there).
 */
function agentCall(line: string, async: boolean): string {
  const text = JSON.stringify(line);
  const ask = async ? `(a.call ? a.call(${text}) : a.request(${text}))` : `a.request(${text})`;
  return `(() => { const a = globalThis[Symbol.for('tasktree.agent')]; return a ? ${ask} : null })()`;
}

function takesAWhile(line: string): boolean {
  try {
    return (JSON.parse(line) as { options?: { stacks?: unknown } }).options?.stacks === true;
  } catch {
    return false;
  }
}

/** Resolves true when `promise` settles within `ms`, false otherwise; leaves no timer behind. */
function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void promise.then(
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      () => {
        clearTimeout(timer);
        resolve(true);
      },
    );
  });
}

class InspectorTransport implements Transport {
  readonly kind = 'inspector';
  private closing: Promise<void> | null = null;

  constructor(
    private readonly session: CdpSession,
    private readonly pid: number,
    private readonly address: InspectorAddress,
    /** The inspector's WebSocket URL: a new one (a new UUID) every time the process opens it. */
    private readonly url: string,
    readonly openedByUs: boolean,
    private readonly timeoutMs: number,
    private readonly notice: Notice,
  ) {}

  async request(line: string, timeoutMs: number): Promise<string> {
    const async = takesAWhile(line);
    const value = await this.session.evaluate(
      agentCall(line, async),
      timeoutMs,
      `timed out after ${timeoutMs} ms waiting for pid ${this.pid} to answer`,
      async,
    );
    if (value === null) throw new CliError(`tasktree is not loaded in pid ${this.pid}`, ExitCode.notLoaded);
    if (typeof value !== 'string') throw new Error(`pid ${this.pid} answered with a ${typeof value}, not a JSON line`);
    return value;
  }

  /**
   * Ends the session. When the CLI opened the inspector, it asks the process to close it and waits
   * until the port has really stopped listening: a close still on its way would cut the next
   * `tasktree` call's connection (it would find the port open, attach, and be dropped).
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (!this.openedByUs) {
        this.session.close();
        await this.session.closed;
        return;
      }
      const started = Date.now();
      // inspector.close() drops every connection, ours included: no answer will come.
      if (this.session.fire(CLOSE_INSPECTOR) && !(await within(this.session.closed, this.timeoutMs))) {
        this.session.destroy();
        this.notice(
          `pid ${this.pid} did not close its inspector within ${this.timeoutMs} ms (its main thread is busy, ` +
            'e.g. in a synchronous call); it closes it once it gets to the request',
        );
        return;
      }
      this.session.destroy();
      while (Date.now() - started < this.timeoutMs) {
        const list = await listTargets(this.address, Math.min(1000, this.timeoutMs));
        if (!list.answered || !list.urls.includes(this.url)) return; // Closed, or opened again by another call.
        await sleep(CLOSE_POLL_MS);
      }
      this.notice(`pid ${this.pid}'s inspector (${this.address.host}:${this.address.port}) still listens ${this.timeoutMs} ms after it was asked to close`);
    })();
    return this.closing;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function openSession(url: string, pid: number, address: InspectorAddress, timeoutMs: number): Promise<{ session: CdpSession; targetPid: unknown }> {
  let ws: WebSocketClient;
  try {
    ws = await WebSocketClient.connect(url, timeoutMs);
  } catch (error) {
    // Refused, reset, or a handshake for a target id that is gone: the inspector closed (and maybe
    // opened again, under a new id) between being listed and being connected to.
    const code = (error as NodeJS.ErrnoException).code;
    const message = (error as Error).message;
    if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EPIPE' || /failed: HTTP \d+/.test(message)) {
      throw new ConnectionLost(`the inspector on ${address.host}:${address.port} closed before the connection was made (${code ?? message})`);
    }
    throw error;
  }
  const session = new CdpSession(ws);
  try {
    const targetPid = await session.evaluate(
      'process.pid',
      timeoutMs,
      `timed out after ${timeoutMs} ms waiting for the inspector on ${address.host}:${address.port} (pid ${pid})`,
    );
    return { session, targetPid };
  } catch (error) {
    session.destroy();
    throw error;
  }
}

function portInUse(pid: number, address: InspectorAddress, holder: unknown): CliError {
  return new CliError(
    `the inspector port ${address.host}:${address.port} of pid ${pid} is held by ${typeof holder === 'number' ? `pid ${holder}` : 'another process'}; ` +
      'start the monitor in the process (TASKTREE_MONITOR=1) or give it another --inspect-port',
    ExitCode.portInUse,
  );
}

/**
 * Connects to the agent of `pid` through its inspector at `address` (see the module comment).
 * The caller has checked that `pid` exists, may be signalled and is a Node process. When the
 * inspector closes between being found and being used — another `tasktree` call that opened it
 * closing it — it starts again (sending SIGUSR1 this time), up to {@link MAX_CONNECT_ATTEMPTS}
 * times within the timeout.
 */
export async function connectInspector(pid: number, address: InspectorAddress, timeoutMs: number, notice: Notice): Promise<Transport> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await connectOnce(pid, address, timeoutMs, deadline, notice);
    } catch (error) {
      if (!(error instanceof ConnectionLost) || attempt >= MAX_CONNECT_ATTEMPTS || Date.now() >= deadline || !isRunning(pid)) throw error;
    }
  }
}

async function connectOnce(pid: number, address: InspectorAddress, timeoutMs: number, deadline: number, notice: Notice): Promise<Transport> {
  const remaining = (): number => Math.max(1, deadline - Date.now());
  const timedOut = (): CliError =>
    new CliError(`timed out after ${timeoutMs} ms waiting for pid ${pid}'s inspector (${address.host}:${address.port})`, ExitCode.timedOut);

  // Already open? Then it must be this process's, and we leave it open afterwards.
  const openBefore = (await listTargets(address, Math.min(1000, remaining()))).urls[0];
  if (openBefore !== undefined) {
    const { session, targetPid } = await openSession(openBefore, pid, address, remaining());
    if (targetPid === pid) return new InspectorTransport(session, pid, address, openBefore, false, timeoutMs, notice);
    session.close();
    throw portInUse(pid, address, targetPid);
  }

  const wakeInspector = (): void => {
    try {
      process.kill(pid, 'SIGUSR1');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ESRCH') throw new CliError(`no process with pid ${pid}`, ExitCode.noSuchProcess);
      if (code === 'EPERM') throw permissionDenied(pid);
      throw error;
    }
  };
  wakeInspector();
  let signalledAt = Date.now();

  let urls: readonly string[] = [];
  while (urls.length === 0) {
    if (Date.now() >= deadline) throw timedOut();
    const list = await listTargets(address, Math.min(1000, remaining()));
    urls = list.urls;
    if (urls.length === 0) {
      if (!isRunning(pid)) throw new CliError(`pid ${pid} exited while its inspector was starting`, ExitCode.noSuchProcess);
      // A SIGUSR1 that came while another call's inspector was still open did nothing, and that
      // one has closed since: ask again. (Pending requests are merged: a process opens it once.)
      if (Date.now() - signalledAt >= RESIGNAL_MS) {
        wakeInspector();
        signalledAt = Date.now();
      }
      await sleep(Math.min(POLL_INTERVAL_MS, remaining()));
    }
  }
  const url = urls[0] as string;
  const { session, targetPid } = await openSession(url, pid, address, remaining());
  if (targetPid !== pid) {
    session.close();
    throw portInUse(pid, address, targetPid);
  }
  return new InspectorTransport(session, pid, address, url, true, timeoutMs, notice);
}
