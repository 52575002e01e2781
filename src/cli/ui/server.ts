/**
 * The HTTP server of `tasktree ui`, in the CLI process: the page's files, `GET /api/state`
 * (long poll) and `POST /api/cancel`. Every request passes `checkRequest` first (security.ts).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CancelRequest, ErrorAnswer } from '../../ui/protocol.js';
import type { Asset } from './assets.js';
import { SECURITY_HEADERS, allowedHosts, checkRequest, displayHost, tokenCookie } from './security.js';
import type { ServedAddress } from './security.js';
import { DEFAULT_REASON } from './session.js';
import type { UiSession } from './session.js';

/** The largest request body accepted (a cancel request is a few hundred bytes). */
export const MAX_BODY_BYTES = 16 * 1024;
const MAX_REASON_CHARS = 1000;

export interface UiServerOptions {
  readonly host: string;
  readonly port: number;
  readonly token: string;
  readonly assets: ReadonlyMap<string, Asset>;
  readonly session: UiStateSource;
}

/** What the server serves: a live session, or a recording replayed. */
export interface UiStateSource {
  /** The state as JSON once its revision is past `after`; `at` (epoch ms): the time a replay shows. */
  stateAfter(after: number, withTimeline: boolean, aborted: AbortSignal, at?: number): Promise<string>;
  cancel: UiSession['cancel'];
}

export interface UiServer {
  /** `http://127.0.0.1:PORT/?token=…` — what to print and open. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': String(Buffer.byteLength(body)), ...extra });
  res.end(body);
}

function sendError(res: ServerResponse, status: number, code: string, message: string, extra: Record<string, string> = {}): void {
  const answer: ErrorAnswer = { error: { code, message } };
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(answer), extra);
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Too large: answered at once; the rest is read and dropped.
      if (size > MAX_BODY_BYTES) resolve(null);
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(null));
  });
}

/** Validates a cancel request's body; a string is the complaint. */
export function parseCancel(text: string): CancelRequest | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'the body must be JSON: {"task": ID, "reason"?: TEXT}';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'the body must be a JSON object: {"task": ID, "reason"?: TEXT}';
  const { task, reason } = value as Record<string, unknown>;
  if (typeof task !== 'string' || task === '' || task.length > 200) return '"task" must be a task id (a non-empty string of at most 200 characters)';
  if (reason !== undefined && (typeof reason !== 'string' || reason.length > MAX_REASON_CHARS)) {
    return `"reason" must be a string of at most ${MAX_REASON_CHARS} characters`;
  }
  return reason === undefined ? { task } : { task, reason };
}

async function handle(req: IncomingMessage, res: ServerResponse, served: ServedAddress, options: UiServerOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://placeholder');
  const method = req.method ?? 'GET';
  const verdict = checkRequest({ method, path: url.pathname, queryToken: url.searchParams.get('token'), headers: req.headers }, served);
  if (!verdict.ok) {
    if (url.pathname === '/' && method === 'GET') {
      // A person opened the page: say it in words.
      send(res, verdict.status, 'text/plain; charset=utf-8', `tasktree ui: ${verdict.message}\n`);
    } else sendError(res, verdict.status, verdict.code, verdict.message);
    return;
  }
  if (url.pathname === '/' && url.searchParams.has('token')) {
    // First load: the token moves into a cookie, and out of the address bar and the history.
    send(res, 303, 'text/plain; charset=utf-8', 'See /\n', { Location: '/', 'Set-Cookie': tokenCookie(served.port, served.token) });
    return;
  }
  if (url.pathname === '/api/state') {
    if (method !== 'GET') return sendError(res, 405, 'METHOD', 'GET /api/state', { Allow: 'GET' });
    const after = Number(url.searchParams.get('after') ?? '-1');
    const aborted = new AbortController();
    res.on('close', () => aborted.abort());
    const atText = url.searchParams.get('at');
    const at = atText === null || atText === '' ? undefined : Number(atText);
    const json = await options.session.stateAfter(
      Number.isFinite(after) ? after : -1,
      url.searchParams.get('timeline') === '1',
      aborted.signal,
      at !== undefined && Number.isFinite(at) ? at : undefined,
    );
    if (!res.destroyed) send(res, 200, 'application/json; charset=utf-8', json);
    return;
  }
  if (url.pathname === '/api/cancel') {
    if (method !== 'POST') return sendError(res, 405, 'METHOD', 'POST /api/cancel', { Allow: 'POST' });
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') return sendError(res, 415, 'CONTENT_TYPE', 'POST /api/cancel takes application/json');
    const body = await readBody(req);
    if (body === null) return sendError(res, 413, 'TOO_LARGE', `the body must be at most ${MAX_BODY_BYTES} bytes`, { Connection: 'close' });
    const request = parseCancel(body);
    if (typeof request === 'string') return sendError(res, 400, 'BAD_REQUEST', request);
    const reason = request.reason?.trim() || DEFAULT_REASON;
    const outcome = await options.session.cancel(request.task, reason);
    send(res, outcome.status, 'application/json; charset=utf-8', JSON.stringify({ action: outcome.action }));
    return;
  }
  const asset = options.assets.get(url.pathname);
  if (asset === undefined) return sendError(res, 404, 'NOT_FOUND', `nothing at ${url.pathname}`);
  if (method !== 'GET' && method !== 'HEAD') return sendError(res, 405, 'METHOD', `GET ${url.pathname}`, { Allow: 'GET, HEAD' });
  send(res, 200, asset.type, method === 'HEAD' ? '' : asset.body);
}

/** Starts the server; resolves once it listens. */
export function startUiServer(options: UiServerOptions): Promise<UiServer> {
  return new Promise((resolve, reject) => {
    let served: ServedAddress | null = null;
    const server: Server = createServer((req, res) => {
      if (served === null) return void res.destroy();
      handle(req, res, served, options).catch((error: unknown) => {
        if (!res.headersSent) sendError(res, 500, 'INTERNAL', error instanceof Error ? error.message : String(error));
        else res.destroy();
      });
    });
    server.headersTimeout = 10_000;
    server.requestTimeout = LONG_REQUEST_MS;
    server.once('error', reject);
    server.listen(options.port, options.host.replace(/^\[|\]$/g, ''), () => {
      server.off('error', reject);
      const port = (server.address() as AddressInfo).port;
      served = { port, token: options.token, hosts: allowedHosts(options.host, port) };
      resolve({
        url: `http://${displayHost(options.host)}:${port}/?token=${options.token}`,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

/** Long polls last ≈20 s: the request timeout leaves room for them. */
const LONG_REQUEST_MS = 60_000;
