/**
 * The in-process side of `tasktree ps|pstree|where|cancel|watch PID`: one request handler shared by
 * both transports (the monitor socket and Node's inspector).
 *
 * The protocol is JSON lines. A request is one JSON object:
 * `{"id"?: number|string, "cmd": "ps"|"pstree"|"snapshot"|"where"|"cancel"|"ping", "task"?: string,
 * "reason"?: string, "options"?: {"expand"?: boolean}}`; the answer is one JSON line,
 * `{"id", "ok": true, "result"}` or `{"id", "ok": false, "error": {"code", "message"}}`.
 * Nothing is ever evaluated; the handler never throws.
 */
import { allTasks } from '../core/index.js';
import { now, toEpoch } from '../core/internal.js';
import { formatTaskDetail } from './format-detail.js';
import { formatTable } from './format-table.js';
import { formatTree } from './format-tree.js';
import type { FinishedInfo, TaskInfo } from './schema.js';
import { captureSnapshot } from './snapshot.js';

/** The version of the snapshot schema and of this protocol. */
export const AGENT_FORMAT_VERSION = 1;

/** Requests longer than this (in UTF-8 bytes, without the newline) are answered with `TOO_LARGE`. */
export const MAX_REQUEST_BYTES = 64 * 1024;

/** The key of the agent on `globalThis`, shared by every copy of tasktree in a process. */
export const AGENT_KEY: unique symbol = Symbol.for('tasktree.agent');

/** Error codes of the protocol. */
export type AgentErrorCode = 'BAD_JSON' | 'BAD_REQUEST' | 'UNKNOWN_COMMAND' | 'UNKNOWN_TASK' | 'TOO_LARGE' | 'INTERNAL';

/** The commands the agent answers. */
export type AgentCommand = 'ps' | 'pstree' | 'snapshot' | 'where' | 'cancel' | 'ping';

/** What `where` answers: a live task (`task`) or, when it has finished already, its history entry. */
export interface WhereResult {
  readonly task: TaskInfo | null;
  readonly finished: FinishedInfo | null;
  /** Live children of the task. */
  readonly children: readonly TaskInfo[];
  /** The task's detail, rendered by `formatTaskDetail`. */
  readonly text: string;
}

/** What `cancel` answers. */
export interface CancelResult {
  readonly cancelled: string;
  readonly path: string;
  /** When the cancellation was requested (epoch ms, on the clock of the snapshot's times). */
  readonly at: number;
}

/** What `ping` answers. */
export interface PingResult {
  readonly pid: number;
  readonly node: string;
  readonly formatVersion: 1;
}

/** The object installed on `globalThis[Symbol.for('tasktree.agent')]`. */
export interface Agent {
  readonly formatVersion: 1;
  readonly pid: number;
  /** Answers one request line with one response line (see the module comment). Never throws. */
  readonly request: (line: string) => string;
}

type RequestId = number | string | null;

class RequestError extends Error {
  constructor(
    readonly code: AgentErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const COMMANDS: ReadonlySet<string> = new Set<AgentCommand>(['ps', 'pstree', 'snapshot', 'where', 'cancel', 'ping']);

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `${JSON.stringify(value.slice(0, 40))} (string)` : `${String(value)} (${typeof value})`;
}

function fail(id: RequestId, code: AgentErrorCode, message: string): string {
  return JSON.stringify({ id, ok: false, error: { code, message } });
}

function stringField(request: Record<string, unknown>, field: string, required: boolean): string | undefined {
  const value = request[field];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value === '') {
    throw new RequestError(
      'BAD_REQUEST',
      `"${field}" must be a non-empty string${required ? ` for "${String(request['cmd'])}"` : ''}, got ${describe(value)}`,
    );
  }
  return value;
}

function whereResult(id: string): WhereResult {
  const snapshot = captureSnapshot();
  const task = snapshot.tasks.find((t) => t.id === id) ?? null;
  const finished = task === null ? (snapshot.finished.findLast((t) => t.id === id) ?? null) : null;
  if (task === null && finished === null) throw unknownTask(id);
  return {
    task,
    finished,
    children: snapshot.tasks.filter((t) => t.parentId === id),
    text: formatTaskDetail(snapshot, id),
  };
}

function unknownTask(id: string): RequestError {
  return new RequestError('UNKNOWN_TASK', `no live task with id ${JSON.stringify(id)}`);
}

function cancelTask(id: string, reason: string | undefined): CancelResult {
  const task = allTasks().find((t) => t.id === id);
  if (task === undefined) {
    const finished = captureSnapshot().finished.findLast((t) => t.id === id);
    if (finished !== undefined) {
      throw new RequestError('UNKNOWN_TASK', `task ${id} (${finished.path}) already finished (${finished.outcome})`);
    }
    throw unknownTask(id);
  }
  const at = toEpoch(now());
  task.cancel(reason ?? 'requested with `tasktree cancel`');
  return { cancelled: task.id, path: task.path, at };
}

function execute(request: Record<string, unknown>): unknown {
  const cmd = request['cmd'];
  if (typeof cmd !== 'string') throw new RequestError('BAD_REQUEST', `"cmd" must be a string, got ${describe(cmd)}`);
  if (!COMMANDS.has(cmd)) {
    throw new RequestError('UNKNOWN_COMMAND', `unknown command ${JSON.stringify(cmd.slice(0, 40))}; expected one of ${[...COMMANDS].join(', ')}`);
  }
  const options = request['options'];
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new RequestError('BAD_REQUEST', `"options" must be an object, got ${describe(options)}`);
  }
  switch (cmd as AgentCommand) {
    case 'ping':
      return { pid: process.pid, node: process.version, formatVersion: AGENT_FORMAT_VERSION } satisfies PingResult;
    case 'snapshot':
      return captureSnapshot();
    case 'ps':
      return formatTable(captureSnapshot());
    case 'pstree': {
      const expand = (options as Record<string, unknown> | undefined)?.['expand'];
      if (expand !== undefined && typeof expand !== 'boolean') {
        throw new RequestError('BAD_REQUEST', `"options.expand" must be a boolean, got ${describe(expand)}`);
      }
      return formatTree(captureSnapshot(), expand === undefined ? {} : { expand });
    }
    case 'where':
      return whereResult(stringField(request, 'task', true) as string);
    case 'cancel':
      return cancelTask(stringField(request, 'task', true) as string, stringField(request, 'reason', false));
  }
}

/**
 * Answers one request line (see the module comment) with one response line, without a trailing
 * newline. Never throws: unexpected failures are answered with the `INTERNAL` error code.
 */
export function handleRequest(line: string): string {
  let id: RequestId = null;
  try {
    if (typeof line !== 'string') return fail(null, 'BAD_REQUEST', `a request must be a string, got ${typeof line}`);
    if (Buffer.byteLength(line, 'utf8') > MAX_REQUEST_BYTES) {
      return fail(null, 'TOO_LARGE', `request is larger than ${MAX_REQUEST_BYTES} bytes`);
    }
    let request: unknown;
    try {
      request = JSON.parse(line);
    } catch (error) {
      return fail(null, 'BAD_JSON', `request is not valid JSON: ${(error as Error).message}`);
    }
    if (typeof request !== 'object' || request === null || Array.isArray(request)) {
      return fail(null, 'BAD_REQUEST', `a request must be a JSON object, got ${describe(request)}`);
    }
    const rawId = (request as Record<string, unknown>)['id'];
    if (rawId !== undefined && typeof rawId !== 'string' && !(typeof rawId === 'number' && Number.isFinite(rawId))) {
      return fail(null, 'BAD_REQUEST', `"id" must be a number or a string, got ${describe(rawId)}`);
    }
    id = rawId ?? null;
    const result = execute(request as Record<string, unknown>);
    return JSON.stringify({ id, ok: true, result });
  } catch (error) {
    if (error instanceof RequestError) return fail(id, error.code, error.message);
    let message: string;
    try {
      message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    } catch {
      message = 'unprintable error';
    }
    return fail(id, 'INTERNAL', message);
  }
}

/**
 * Makes this process answerable by `tasktree PID` over Node's inspector: installs the agent on
 * `globalThis[Symbol.for('tasktree.agent')]`. Idempotent; when another copy of tasktree installed
 * its agent first, that one is kept.
 */
export function installAgent(): void {
  const holder = globalThis as unknown as Record<symbol, unknown>;
  if (holder[AGENT_KEY] !== undefined) return;
  const agent: Agent = Object.freeze({ formatVersion: AGENT_FORMAT_VERSION, pid: process.pid, request: handleRequest });
  Object.defineProperty(holder, AGENT_KEY, { value: agent, enumerable: false, configurable: true, writable: false });
}
