/**
 * The inspector transport: reach tasktree's agent in a process that did not open a monitor, with
 * no code change — SIGUSR1 opens Node's inspector, one `Runtime.evaluate` calls the agent, and the
 * inspector is closed again if it was not open before.
 */
import { get } from 'node:http';
import { CliError, ExitCode } from './exit-codes.js';
import { permissionDenied } from './process-info.js';
import type { InspectorAddress } from './process-info.js';
import type { Transport } from './transport.js';
import { WebSocketClient } from './websocket.js';

const POLL_INTERVAL_MS = 50;
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

/** Thrown when the connection to the inspector dropped. */
export class ConnectionLost extends Error {}

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
  evaluate(expression: string, timeoutMs: number, timeoutMessage: string): Promise<unknown> {
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
      this.ws.send(JSON.stringify({ id, method: 'Runtime.evaluate', params: { expression, returnByValue: true, silent: true } }));
    });
  }

  /** Sends an evaluation without waiting for its answer. */
  fire(expression: string): void {
    if (this.closedError !== null) return;
    this.ws.send(
      JSON.stringify({ id: this.nextId++, method: 'Runtime.evaluate', params: { expression, includeCommandLineAPI: true, silent: true } }),
    );
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

function agentCall(line: string): string {
  return `(() => { const a = globalThis[Symbol.for('tasktree.agent')]; return a ? a.request(${JSON.stringify(line)}) : null })()`;
}

class InspectorTransport implements Transport {
  readonly kind = 'inspector';
  private closing: Promise<void> | null = null;

  constructor(
    private readonly session: CdpSession,
    private readonly pid: number,
    private readonly openedByUs: boolean,
  ) {}

  async request(line: string, timeoutMs: number): Promise<string> {
    const value = await this.session.evaluate(
      agentCall(line),
      timeoutMs,
      `timed out after ${timeoutMs} ms waiting for pid ${this.pid} to answer`,
    );
    if (value === null) throw new CliError(`tasktree is not loaded in pid ${this.pid}`, ExitCode.notLoaded);
    if (typeof value !== 'string') throw new Error(`pid ${this.pid} answered with a ${typeof value}, not a JSON line`);
    return value;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.openedByUs) {
        // inspector.close() drops every connection, ours included: no answer will come.
        this.session.fire(CLOSE_INSPECTOR);
        const timer = setTimeout(() => this.session.destroy(), 2000);
        await this.session.closed;
        clearTimeout(timer);
      } else {
        this.session.close();
        await this.session.closed;
      }
    })();
    return this.closing;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function openSession(url: string, pid: number, address: InspectorAddress, timeoutMs: number): Promise<{ session: CdpSession; targetPid: unknown }> {
  const ws = await WebSocketClient.connect(url, timeoutMs);
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
 * The caller has checked that `pid` exists, may be signalled and is a Node process.
 */
export async function connectInspector(pid: number, address: InspectorAddress, timeoutMs: number): Promise<Transport> {
  const deadline = Date.now() + timeoutMs;
  const remaining = (): number => Math.max(1, deadline - Date.now());
  const timedOut = (): CliError =>
    new CliError(`timed out after ${timeoutMs} ms waiting for pid ${pid}'s inspector (${address.host}:${address.port})`, ExitCode.timedOut);

  // Already open? Then it must be this process's, and we leave it open afterwards.
  const openBefore = (await listTargets(address, Math.min(1000, remaining()))).urls[0];
  if (openBefore !== undefined) {
    const { session, targetPid } = await openSession(openBefore, pid, address, remaining());
    if (targetPid === pid) return new InspectorTransport(session, pid, false);
    session.close();
    throw portInUse(pid, address, targetPid);
  }

  try {
    process.kill(pid, 'SIGUSR1');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') throw new CliError(`no process with pid ${pid}`, ExitCode.noSuchProcess);
    if (code === 'EPERM') throw permissionDenied(pid);
    throw error;
  }

  let urls: readonly string[] = [];
  while (urls.length === 0) {
    if (Date.now() >= deadline) throw timedOut();
    const list = await listTargets(address, Math.min(1000, remaining()));
    urls = list.urls;
    if (urls.length === 0) {
      try {
        process.kill(pid, 0);
      } catch {
        throw new CliError(`pid ${pid} exited while its inspector was starting`, ExitCode.noSuchProcess);
      }
      await sleep(Math.min(POLL_INTERVAL_MS, remaining()));
    }
  }
  const { session, targetPid } = await openSession(urls[0] as string, pid, address, remaining());
  if (targetPid !== pid) {
    session.close();
    throw portInUse(pid, address, targetPid);
  }
  return new InspectorTransport(session, pid, true);
}
