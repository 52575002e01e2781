// Shared by the `tasktree ui` tests: start the fixture and the command, talk HTTP to it.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { UiState } from '../../../src/ui/protocol.js';
import { CLI, NODE, startChild, startFixture } from '../helpers.js';
import type { Child } from '../helpers.js';

export interface Ready {
  readonly pid: number;
  readonly worker: string;
  readonly stubborn: string;
  readonly lockA: string;
}

/** The fixture (test/fixtures/ui-target.ts), with stdin to drive it. */
export async function startTarget(env: NodeJS.ProcessEnv, args: readonly string[] = ['--monitor'], nodeArgs: readonly string[] = []): Promise<{ child: Child; ready: Ready }> {
  const child = await startFixture('ui-target', { args, nodeArgs, env, stdin: true });
  return { child, ready: JSON.parse(child.ready) as Ready };
}

/** Writes one command line to the fixture. */
export function tell(target: Child, line: string): void {
  target.process.stdin?.write(`${line}\n`);
}

export interface Ui {
  readonly child: Child;
  /** The address printed: `http://127.0.0.1:PORT/?token=…`. */
  readonly url: string;
  readonly origin: string;
  readonly host: string;
  readonly token: string;
}

/** Starts `tasktree ui ARGS` and resolves once it printed its address. */
export async function startUi(args: readonly string[], env: NodeJS.ProcessEnv): Promise<Ui> {
  const child = await startChild(NODE, [CLI, 'ui', ...args], { env, readyPattern: /^tasktree ui: http/, timeoutMs: 20_000 });
  assert.match(child.stdoutLines[0] ?? '', /^tasktree ui: http:\/\/[^/]+\/\?token=[A-Za-z0-9_-]{43}$/, 'the address is the first line of stdout');
  const url = (child.stdoutLines[0] as string).slice('tasktree ui: '.length);
  const parsed = new URL(url);
  return { child, url, origin: parsed.origin, host: parsed.host, token: parsed.searchParams.get('token') as string };
}

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One HTTP request to the ui server; `headers` may set Host, Origin, Cookie. */
export function http(ui: Pick<Ui, 'origin'>, path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const target = new URL(path, ui.origin);
    const req = request(
      { host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: options.method ?? 'GET', headers: options.headers ?? {}, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The bearer header a program uses. */
export function bearer(ui: Pick<Ui, 'token'>): Record<string, string> {
  return { authorization: `Bearer ${ui.token}` };
}

/** The state after `revision` (long poll), as a program reads it. */
export async function state(ui: Ui, after = -1, timeline = false): Promise<UiState> {
  const answer = await http(ui, `/api/state?after=${after}${timeline ? '&timeline=1' : ''}`, { headers: bearer(ui) });
  assert.equal(answer.status, 200, answer.body);
  return JSON.parse(answer.body) as UiState;
}

/** Follows the state until `predicate` holds (each step waits for the next revision). */
export async function stateWhere(ui: Ui, what: string, predicate: (s: UiState) => boolean, timeoutMs = 20_000): Promise<UiState> {
  const deadline = Date.now() + timeoutMs;
  let current = await state(ui);
  while (!predicate(current)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}; last state: ${JSON.stringify(current.target)}`);
    current = await state(ui, current.revision);
  }
  return current;
}
