/**
 * Who may talk to the `tasktree ui` server: a pure function of a request's method, URL and
 * headers. Every request needs the token (from the cookie the page got on its first load, or an
 * `Authorization: Bearer` header); `Host` must name the served address (no DNS rebinding); a
 * request naming an `Origin` must come from the served one, and a POST must name it (no cross-site
 * requests). Responses carry a strict CSP.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { networkInterfaces } from 'node:os';

/** A fresh token: 256 random bits, base64url (43 characters). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The cookie holding the token; per port, since cookies are shared by every port of a host. */
export function cookieName(port: number): string {
  return `tasktree-ui-${port}`;
}

/** `Set-Cookie` for the token: invisible to scripts, never sent by another site. */
export function tokenCookie(port: number, token: string): string {
  return `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

/** Headers of every response. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'self'; " +
    "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
});

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

function bracket(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** The loopback address to print and open for a server listening on `host`. */
export function displayHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  return bracket(host);
}

/** Whether `host` is a loopback address or name (no warning needed). */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare);
}

/**
 * The `Host` header values that name this server: the address it listens on (for a wildcard, every
 * address of the machine) and `localhost`, with the port (also without it for port 80).
 */
export function allowedHosts(host: string, port: number): ReadonlySet<string> {
  const names = new Set<string>(['localhost', '127.0.0.1']);
  if (isWildcard(host)) {
    for (const list of Object.values(networkInterfaces())) {
      for (const entry of list ?? []) names.add(bracket(entry.address));
    }
    names.add('[::1]');
  } else names.add(bracket(host).toLowerCase());
  const allowed = new Set<string>();
  for (const name of names) {
    allowed.add(`${name.toLowerCase()}:${port}`);
    if (port === 80) allowed.add(name.toLowerCase());
  }
  return allowed;
}

/** The part of a request the checks read. */
export interface RequestFacts {
  readonly method: string;
  readonly path: string;
  /** The `token` query parameter (only honoured on `GET /`). */
  readonly queryToken: string | null;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export type Verdict =
  | { readonly ok: true; readonly via: 'cookie' | 'header' | 'query' }
  | { readonly ok: false; readonly status: 401 | 403; readonly code: string; readonly message: string };

function header(facts: RequestFacts, name: string): string | undefined {
  const value = facts.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function cookieToken(facts: RequestFacts, port: number): string | null {
  const text = header(facts, 'cookie');
  if (text === undefined) return null;
  const name = cookieName(port);
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

function bearerToken(facts: RequestFacts): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header(facts, 'authorization') ?? '');
  return match === null ? null : (match[1] as string);
}

/** Compares in constant time (for equal lengths). */
export function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function refuse(status: 401 | 403, code: string, message: string): Verdict {
  return { ok: false, status, code, message };
}

/** What the server knows about itself. */
export interface ServedAddress {
  readonly port: number;
  readonly token: string;
  readonly hosts: ReadonlySet<string>;
}

/**
 * Decides whether a request may be served: 403 for a foreign `Host` or `Origin` or a wrong token,
 * 401 for no token at all.
 */
export function checkRequest(facts: RequestFacts, served: ServedAddress): Verdict {
  const host = (header(facts, 'host') ?? '').toLowerCase();
  if (!served.hosts.has(host)) {
    return refuse(403, 'BAD_HOST', `this server answers only to ${[...served.hosts][0] ?? 'its own address'}, not to Host ${JSON.stringify(host)}`);
  }
  // A browser names the origin of every cross-origin request and of every POST: only this
  // server's own pages may ask anything; a POST that names no origin needs the token in a header.
  const origin = header(facts, 'origin');
  const bearer = bearerToken(facts);
  const changes = facts.method !== 'GET' && facts.method !== 'HEAD';
  if (origin === undefined ? changes && bearer === null : origin !== `http://${host}`) {
    return refuse(403, 'BAD_ORIGIN', `requests must come from pages of http://${host}, not from ${origin === undefined ? 'an unnamed origin' : JSON.stringify(origin)}`);
  }
  const candidates: Array<[string | null, 'cookie' | 'header' | 'query']> = [
    [bearer, 'header'],
    [cookieToken(facts, served.port), 'cookie'],
    [facts.method === 'GET' && facts.path === '/' ? facts.queryToken : null, 'query'],
  ];
  let offered = false;
  for (const [given, via] of candidates) {
    if (given === null) continue;
    offered = true;
    if (sameToken(given, served.token)) return { ok: true, via };
  }
  return offered
    ? refuse(403, 'BAD_TOKEN', 'the token is wrong: open the address that `tasktree ui` printed')
    : refuse(401, 'NO_TOKEN', 'this page needs its token: open the address that `tasktree ui` printed (…/?token=…)');
}
