/**
 * The in-process side of `tasktree ps|pstree|where|cancel|watch PID`: one request handler shared by
 * both transports (the monitor socket and Node's inspector).
 *
 * The protocol is JSON lines. A request is one JSON object:
 * `{"id"?: number|string, "cmd": "ps"|"pstree"|"snapshot"|"where"|"cancel"|"record"|"ping", "task"?: string,
 * "reason"?: string, "from"?: "cli"|"ui", "options"?: {"expand"?: boolean, "stacks"?: boolean, "force"?: boolean,
 * "maxHeapMB"?: number, "finished"?: boolean, "action"?: "status"|"start"|"read"|"stop", "capacity"?: number, "after"?: number,
 * "leaseMs"?: number}}`; the answer is one JSON line, `{"id", "ok": true, "result"}` or
 * `{"id", "ok": false, "error": {"code", "message"}}`. `snapshot` with `stacks: true` also finds
 * where every task is suspended (a bounded, reported stop of the process; `force` and `maxHeapMB`
 * as for `captureSnapshot`); it is answered only through the asynchronous entry (`call`).
 * `snapshot` with `finished: false` leaves the history out (`ps` and `pstree` answer from the live
 * tasks alone); an older agent ignores the option and sends it.
 * `record` drives the flight recorder (record-command.ts): `status`, `start` (with `capacity`, and a
 * `leaseMs` after which it switches itself off), `read` (a Recording, the events after `after`
 * only, or `null` when it is off) and `stop` (the last Recording, or `null`).
 * Nothing is ever evaluated; the handler never throws.
 */
import { allTasks } from '../core/index.js';
import { cancelOnBehalf, now, toEpoch } from '../core/internal.js';
import { formatTaskDetail } from './format-detail.js';
import { recordCommand, type RecordAction, type RecordRequest } from './record-command.js';
import { formatTable } from './format-table.js';
import { formatTree } from './format-tree.js';
import type { FinishedInfo, TaskInfo } from './schema.js';
import { captureSnapshot, type SnapshotOptions } from './snapshot.js';

/** The version of the snapshot schema and of this protocol. */
export const AGENT_FORMAT_VERSION = 1;

/** Requests longer than this (in UTF-8 bytes, without the newline) are answered with `TOO_LARGE`. */
export const MAX_REQUEST_BYTES = 64 * 1024;

/** The key of the agent on `globalThis`, shared by every copy of tasktree in a process. */
export const AGENT_KEY: unique symbol = Symbol.for('tasktree.agent');

/** Error codes of the protocol. */
export type AgentErrorCode =
  | 'BAD_JSON'
  | 'BAD_REQUEST'
  | 'UNKNOWN_COMMAND'
  | 'UNKNOWN_TASK'
  | 'TOO_LARGE'
  | 'INTERNAL'
  /** The heap is over the stacks limit (`force` takes them anyway). */
  | 'STACKS_REFUSED'
  /** Taking the stacks failed (no inspector in this Node, the probe's thread failed). */
  | 'STACKS_FAILED';

/** The commands the agent answers. */
export type AgentCommand = 'ps' | 'pstree' | 'snapshot' | 'where' | 'cancel' | 'record' | 'ping';

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
  /** The same, for every command including `snapshot` with stacks. Never rejects. */
  readonly call: (line: string) => Promise<string>;
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

const COMMANDS: ReadonlySet<string> = new Set<AgentCommand>(['ps', 'pstree', 'snapshot', 'where', 'cancel', 'record', 'ping']);

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

/** Who sends a `cancel`: `tasktree cancel` (`cli`, the default) or the page of `tasktree ui` (`ui`). */
function requester(request: Record<string, unknown>): 'cli' | 'ui' {
  const from = request['from'];
  if (from === undefined || from === 'cli' || from === 'ui') return from ?? 'cli';
  throw new RequestError('BAD_REQUEST', `"from" must be "cli" or "ui", got ${describe(from)}`);
}

function cancelTask(id: string, reason: string | undefined, from: 'cli' | 'ui'): CancelResult {
  const task = allTasks().find((t) => t.id === id);
  if (task === undefined) {
    const finished = captureSnapshot().finished.findLast((t) => t.id === id);
    if (finished !== undefined) {
      throw new RequestError('UNKNOWN_TASK', `task ${id} (${finished.path}) already finished (${finished.outcome})`);
    }
    throw unknownTask(id);
  }
  const at = toEpoch(now());
  // The task's code sees a reason either way; its record says who asked, and what they said.
  cancelOnBehalf(task, from, reason, reason ?? 'requested with `tasktree cancel`');
  return { cancelled: task.id, path: task.path, at };
}

const RECORD_ACTIONS: readonly RecordAction[] = ['status', 'start', 'read', 'stop'];

function recordRequest(options: Record<string, unknown> | undefined): RecordRequest {
  const action = options?.['action'];
  if (typeof action !== 'string' || !RECORD_ACTIONS.includes(action as RecordAction)) {
    throw new RequestError('BAD_REQUEST', `"options.action" of "record" must be one of ${RECORD_ACTIONS.join(', ')}, got ${describe(action)}`);
  }
  const integer = (key: string, min: number, max: number): number | undefined => {
    const value = options?.[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new RequestError('BAD_REQUEST', `"options.${key}" must be an integer from ${min} to ${max}, got ${describe(value)}`);
    }
    return value;
  };
  return {
    action: action as RecordAction,
    capacity: integer('capacity', 16, 10_000_000),
    after: integer('after', -1, Number.MAX_SAFE_INTEGER),
    leaseMs: integer('leaseMs', 1, 2_147_483_647),
  };
}

function snapshotOptions(options: Record<string, unknown> | undefined): SnapshotOptions {
  const out: { stacks?: boolean; force?: boolean; maxHeapBytes?: number; finished?: boolean } = {};
  for (const key of ['stacks', 'force', 'finished'] as const) {
    const value = options?.[key];
    if (value === undefined) continue;
    if (typeof value !== 'boolean') throw new RequestError('BAD_REQUEST', `"options.${key}" must be a boolean, got ${describe(value)}`);
    out[key] = value;
  }
  const limit = options?.['maxHeapMB'];
  if (limit !== undefined) {
    if (typeof limit !== 'number' || !(limit > 0)) throw new RequestError('BAD_REQUEST', `"options.maxHeapMB" must be a number > 0, got ${describe(limit)}`);
    out.maxHeapBytes = limit * 1024 * 1024;
  }
  return out;
}

/** The snapshot with stacks, its failures as protocol errors. */
function snapshotWithStacks(options: SnapshotOptions): Promise<unknown> {
  return captureSnapshot({ ...options, stacks: true }).catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    throw new RequestError((error as { code?: unknown } | null)?.code === 'TASKTREE_STACKS_REFUSED' ? 'STACKS_REFUSED' : 'STACKS_FAILED', message);
  });
}

/** What the table and the tree show: the live tasks (the history is left out of the snapshot). */
const LIVE_ONLY = { finished: false } as const;

function execute(request: Record<string, unknown>, async: boolean): unknown {
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
    case 'snapshot': {
      const chosen = snapshotOptions(options as Record<string, unknown> | undefined);
      if (chosen.stacks !== true) return captureSnapshot(chosen);
      if (!async) throw new RequestError('BAD_REQUEST', 'a snapshot with stacks is answered only by the asynchronous entry (agent.call); this client is too old for it');
      return snapshotWithStacks(chosen);
    }
    case 'ps':
      return formatTable(captureSnapshot(LIVE_ONLY));
    case 'pstree': {
      const expand = (options as Record<string, unknown> | undefined)?.['expand'];
      if (expand !== undefined && typeof expand !== 'boolean') {
        throw new RequestError('BAD_REQUEST', `"options.expand" must be a boolean, got ${describe(expand)}`);
      }
      return formatTree(captureSnapshot(LIVE_ONLY), expand === undefined ? {} : { expand });
    }
    case 'where':
      return whereResult(stringField(request, 'task', true) as string);
    case 'cancel':
      return cancelTask(stringField(request, 'task', true) as string, stringField(request, 'reason', false), requester(request));
    case 'record':
      return recordCommand(recordRequest(options as Record<string, unknown> | undefined));
  }
}

/** A request line checked and parsed, or the answer to give at once. */
function parse(line: string): { id: RequestId; request: Record<string, unknown> } | string {
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
  return { id: rawId ?? null, request: request as Record<string, unknown> };
}

function failure(id: RequestId, error: unknown): string {
  if (error instanceof RequestError) return fail(id, error.code, error.message);
  let message: string;
  try {
    message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } catch {
    message = 'unprintable error';
  }
  return fail(id, 'INTERNAL', message);
}

/**
 * Answers one request line (see the module comment) with one response line, without a trailing
 * newline. Never throws: unexpected failures are answered with the `INTERNAL` error code. A
 * snapshot with stacks needs {@link handleRequestAsync}.
 */
export function handleRequest(line: string): string {
  let id: RequestId = null;
  try {
    const parsed = parse(line);
    if (typeof parsed === 'string') return parsed;
    id = parsed.id;
    return JSON.stringify({ id, ok: true, result: execute(parsed.request, false) });
  } catch (error) {
    return failure(id, error);
  }
}

/** {@link handleRequest} for every command, including a snapshot with stacks. Never rejects. */
export async function handleRequestAsync(line: string): Promise<string> {
  let id: RequestId = null;
  try {
    const parsed = parse(line);
    if (typeof parsed === 'string') return parsed;
    id = parsed.id;
    return JSON.stringify({ id, ok: true, result: await execute(parsed.request, true) });
  } catch (error) {
    return failure(id, error);
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
  const agent: Agent = Object.freeze({ formatVersion: AGENT_FORMAT_VERSION, pid: process.pid, request: handleRequest, call: handleRequestAsync });
  Object.defineProperty(holder, AGENT_KEY, { value: agent, enumerable: false, configurable: true, writable: false });
}
