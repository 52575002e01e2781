/** The `tasktree` commands: fetch from the agent, render locally, print. */
import type { WhereResult } from '../inspect/agent.js';
import { describeWait, formatDuration, plural } from '../inspect/describe.js';
import { filterSnapshot, filterTree, isFilterEmpty, liveState } from '../inspect/filter.js';
import { formatTaskDetail } from '../inspect/format-detail.js';
import { formatTable } from '../inspect/format-table.js';
import { formatTree } from '../inspect/format-tree.js';
import type { FinishedInfo, Snapshot, TaskInfo } from '../inspect/schema.js';
import type { Command, Connection } from './args.js';
import { AgentClient, AgentError } from './client.js';
import { CliError, ExitCode } from './exit-codes.js';
import type { ExitCodeValue } from './exit-codes.js';
import { listMatches, resolveTask } from './resolve-task.js';
import type { TaskMatch } from './resolve-task.js';
import { record } from './record.js';

/** Where commands write. */
export interface Output {
  write(text: string): void;
  /** One line on stderr about what happened on the way (`tasktree: …`). */
  notice(line: string): void;
  readonly isTTY: boolean;
  readonly columns: number | undefined;
  readonly rows: number | undefined;
  /** Aborted when the reader went away (EPIPE): `watch` stops then. */
  readonly closed: AbortSignal;
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * Text from the target, made safe for a terminal: control characters (an ESC could repaint or
 * retitle the terminal) are shown as `\xNN`; newlines stay; ends with a newline.
 */
function printable(text: string): string {
  const safe = text.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return safe.endsWith('\n') ? safe : `${safe}\n`;
}

async function withClient<T>(connection: Connection, out: Output, use: (client: AgentClient) => Promise<T>): Promise<T> {
  const client = await AgentClient.open(connection, (line) => out.notice(line));
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

export type WatchCommand = Extract<Command, { kind: 'watch' }>;

/** A terminal that reports no size (0 or nothing) is drawn at this size. */
const DEFAULT_COLUMNS = 80;
const DEFAULT_ROWS = 24;
/** Below these, a frame would show nothing useful; smaller terminals get cut lines instead. */
const MIN_COLUMNS = 20;
const MIN_ROWS = 3;

/** One frame of `watch`: a header and the tree; on a terminal, clears the screen and fits it. */
export function watchFrame(command: WatchCommand, snapshot: Snapshot, out: Pick<Output, 'isTTY' | 'columns' | 'rows'>, transport: string): string {
  const time = new Date(snapshot.capturedAt).toTimeString().slice(0, 8);
  const count = isFilterEmpty(command.filter)
    ? plural(snapshot.tasks.length, 'live task')
    : `${filterTree(snapshot, command.filter).matched} of ${plural(snapshot.tasks.length, 'live task')} matching`;
  const header =
    `tasktree watch · pid ${snapshot.pid} · Node ${snapshot.node} · ${count} · ${time}` +
    ` · every ${command.intervalMs} ms via ${transport}` +
    (snapshot.stacks === null ? '' : ` · stacks stopped it ${formatDuration(snapshot.stacks.longestStopMs)}`) +
    (out.isTTY ? ' · Ctrl-C to quit' : '');
  const body = printable(
    formatTree(snapshot, { expand: command.expand, filter: command.filter, ...(command.stacks === null ? { unseenHint: '--stacks' } : {}) }),
  );
  if (!out.isTTY) return `${printable(header)}${body}\n`;
  // A terminal: home, clear, then as much as fits.
  const width = Math.max(MIN_COLUMNS, out.columns !== undefined && out.columns > 0 ? out.columns : DEFAULT_COLUMNS);
  const height = Math.max(MIN_ROWS, (out.rows !== undefined && out.rows > 0 ? out.rows : DEFAULT_ROWS) - 1);
  const lines = [printable(header).slice(0, -1), ...body.slice(0, -1).split('\n')];
  const shown = lines.length > height ? [...lines.slice(0, height - 1), `… ${lines.length - height + 1} more lines`] : lines;
  return `\x1b[H\x1b[2J${shown.map((line) => (line.length > width ? line.slice(0, width) : line)).join('\n')}\n`;
}

async function watch(command: WatchCommand, out: Output): Promise<void> {
  let stop = out.closed.aborted;
  let wake: () => void = () => {};
  const onSignal = (): void => {
    stop = true;
    wake();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  out.closed.addEventListener('abort', onSignal);
  try {
    await withClient(command, out, async (client) => {
      for (let frames = 0; !stop; ) {
        const snapshot = await client.snapshot(command.stacks, false);
        if (stop) break;
        out.write(watchFrame(command, snapshot, out, client.transport.kind));
        frames++;
        if (command.count !== null && frames >= command.count) break;
        // Taking stacks stops the process: between two of them it runs at least four times as long.
        const gap = snapshot.stacks === null ? command.intervalMs : Math.max(command.intervalMs, 4 * snapshot.stacks.stoppedMs);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, gap);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    out.closed.removeEventListener('abort', onSignal);
  }
}

/**
 * The task TASK names (see resolve-task.ts): tried as an exact id first, which needs no snapshot;
 * otherwise looked up in a snapshot. Throws the unknown-task CliError, listing the matches when
 * there are several.
 */
async function findTask(client: AgentClient, query: string, exact: () => Promise<unknown>): Promise<TaskMatch | null> {
  try {
    await exact();
    return null; // The exact id answered.
  } catch (error) {
    if (!(error instanceof AgentError) || error.code !== 'UNKNOWN_TASK') throw error;
  }
  return resolved(client.pid, await client.snapshot(), query);
}

/** The task `query` names in `snapshot`; throws the unknown-task CliError (with the matches when ambiguous). */
function resolved(pid: number, snapshot: Snapshot, query: string): TaskMatch {
  const resolution = resolveTask(snapshot, query);
  switch (resolution.kind) {
    case 'found':
      return resolution.task;
    case 'none':
      throw new CliError(
        `pid ${pid} has no task with id, id suffix or name ${JSON.stringify(query)} (live or recently finished)`,
        ExitCode.unknownTask,
      );
    case 'ambiguous': {
      const how = resolution.rule === 'name' ? 'are named' : 'have ids ending in';
      throw new CliError(
        [
          `${resolution.matches.length} tasks of pid ${pid} ${how} ${JSON.stringify(query)}; give one of their ids:`,
          ...listMatches(resolution.matches),
        ].join('\n'),
        ExitCode.unknownTask,
      );
    }
  }
}

/** What `where` answers, made here from a snapshot with stacks (the agent's `where` has none). */
function whereFromSnapshot(snapshot: Snapshot, id: string): WhereResult {
  const task = snapshot.tasks.find((t) => t.id === id) ?? null;
  return {
    task,
    finished: task === null ? (snapshot.finished.findLast((t) => t.id === id) ?? null) : null,
    children: snapshot.tasks.filter((t) => t.parentId === id),
    text: formatTaskDetail(snapshot, id),
  };
}

/** One line on stderr about what taking the stacks cost the process. */
function stacksNotice(snapshot: Snapshot, out: Output): void {
  const info = snapshot.stacks;
  if (info === null) {
    out.notice(`the tasktree in pid ${snapshot.pid} cannot take stacks (it is older than this CLI); showing what it has`);
    return;
  }
  out.notice(
    `stacks of ${plural(snapshot.tasks.length, 'task')} taken in ${formatDuration(info.totalMs)}; pid ${snapshot.pid} was stopped ` +
      `for ${formatDuration(info.longestStopMs)} at most (${formatDuration(info.stoppedMs)} in all; a heap of ${Math.round(info.heapBytes / 1048576)} MiB)` +
      (info.rounds === 2 ? '; two rounds, for a promise several async functions await' : ''),
  );
}

async function where(command: Extract<Command, { kind: 'where' }>, out: Output): Promise<void> {
  const stacks = command.stacks;
  if (stacks !== null) {
    const { snapshot, result } = await withClient(command, out, async (client) => {
      const snapshot = await client.snapshot(stacks);
      const id = resolved(snapshot.pid, snapshot, command.task).id;
      // An agent older than this CLI takes no stacks: its own `where` then says the most.
      return { snapshot, result: snapshot.stacks === null ? await client.where(id) : whereFromSnapshot(snapshot, id) };
    });
    out.write(command.json ? json(result) : printable(result.text));
    stacksNotice(snapshot, out);
    return;
  }
  const result = await withClient(command, out, async (client) => {
    let exact: WhereResult | undefined;
    const found = await findTask(client, command.task, async () => (exact = await client.where(command.task)));
    return found === null ? (exact as WhereResult) : client.where(found.id);
  });
  out.write(command.json ? json(result) : printable(result.text));
}

export type CancelCommand = Extract<Command, { kind: 'cancel' }>;

/** What became of a task after `tasktree cancel` (printed, or with `--json` as is). */
export interface CancelOutcome {
  readonly cancelled: string;
  readonly name: string;
  readonly path: string;
  /**
   * `ended` (see `finished`), `running` (still running when `--wait` ran out), `exited` (the
   * process exited while waiting), or `not-waited` (`--wait 0`).
   */
  readonly status: 'ended' | 'running' | 'exited' | 'not-waited';
  /** How long after the request it ended (or the process exited), in ms; null while running. */
  readonly endedAfterMs: number | null;
  readonly waitMs: number;
  /** The history entry of the ended task (null when the history no longer has it). */
  readonly finished: FinishedInfo | null;
  /** The task as last seen while still running, and its live children. */
  readonly task: TaskInfo | null;
  readonly children: readonly TaskInfo[];
}

/** Polls for the end of a cancelled task every 10, 20, 40 … up to 100 ms. */
const FIRST_POLL_MS = 10;
const MAX_POLL_MS = 100;

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function cancelAndWait(client: AgentClient, command: CancelCommand): Promise<CancelOutcome> {
  let requested: { cancelled: string; path: string; at?: number } | undefined;
  const found = await findTask(client, command.task, async () => (requested = await client.cancel(command.task, command.reason)));
  if (found !== null) {
    if (found.outcome !== null) {
      throw new CliError(`pid ${client.pid}: task ${found.id} (${found.path}) already finished (${found.outcome})`, ExitCode.unknownTask);
    }
    requested = await client.cancel(found.id, command.reason);
  }
  const { cancelled, path } = requested as { cancelled: string; path: string; at?: number };
  const sentAt = Date.now();
  const name = found?.name ?? path.split(' › ').at(-1) ?? cancelled;
  const base = { cancelled, name, path, waitMs: command.waitMs };
  if (command.waitMs === 0) return { ...base, status: 'not-waited', endedAfterMs: null, finished: null, task: null, children: [] };

  const deadline = sentAt + command.waitMs;
  let delay = FIRST_POLL_MS;
  let last: TaskInfo | null = null;
  let children: readonly TaskInfo[] = [];
  for (;;) {
    let state: WhereResult | null;
    try {
      state = await client.where(cancelled);
    } catch (error) {
      if (error instanceof CliError && error.exitCode === ExitCode.noSuchProcess) {
        return { ...base, status: 'exited', endedAfterMs: Date.now() - sentAt, finished: null, task: last, children };
      }
      // Gone from the history already: it ended, we cannot say how.
      if (error instanceof AgentError && error.code === 'UNKNOWN_TASK') state = null;
      else throw error;
    }
    if (state === null || state.finished !== null) {
      const finished = state?.finished ?? null;
      const at = requested?.at;
      const after = finished !== null && typeof at === 'number' ? Math.max(0, finished.settledAt - at) : Date.now() - sentAt;
      return { ...base, status: 'ended', endedAfterMs: after, finished, task: null, children: [] };
    }
    last = state.task;
    children = state.children;
    const left = deadline - Date.now();
    if (left <= 0) return { ...base, status: 'running', endedAfterMs: null, finished: null, task: last, children };
    await pause(Math.min(delay, left));
    delay = Math.min(MAX_POLL_MS, delay * 2);
  }
}

/** The line `tasktree cancel` prints. */
export function cancelText(outcome: CancelOutcome): string {
  const who = `${outcome.name} [${outcome.cancelled}] (${outcome.path})`;
  switch (outcome.status) {
    case 'not-waited':
      return `cancel requested for ${who}; not waiting for it to end (--wait 0)`;
    case 'exited':
      return `cancel requested for ${who}; the process exited ${formatDuration(outcome.endedAfterMs ?? 0)} later`;
    case 'ended': {
      const finished = outcome.finished;
      const how =
        finished === null
          ? ''
          : finished.outcome === 'cancelled'
            ? ': cancelled'
            : finished.outcome === 'fulfilled'
              ? ': fulfilled (it returned instead of throwing its cancellation)'
              : `: rejected (${finished.error ?? 'an error'})`;
      return `cancel requested for ${who}; it ended ${formatDuration(outcome.endedAfterMs ?? 0)} later${how}`;
    }
    case 'running': {
      const task = outcome.task;
      const byId = new Map([...(task === null ? [] : [task]), ...outcome.children].map((t) => [t.id, t]));
      const wait = task?.waitingOn ?? null;
      const waiting = wait === null ? 'waiting on nothing tasktree can see' : describeWait(wait, byId);
      if (wait?.kind === 'group' && outcome.children.length > 0) {
        const shown = outcome.children.slice(0, 3).map((child) => `${child.name} [${child.id}] (${liveState(child)})`);
        if (outcome.children.length > 3) shown.push(`${outcome.children.length - 3} more`);
        return (
          `cancel requested for ${who}; still running ${formatDuration(outcome.waitMs)} later, ${waiting}: ` +
          `${outcome.children.length === 1 ? 'its child has' : `its ${outcome.children.length} children have`} not finished ` +
          `(${shown.join(', ')}; see them with tasktree pstree)`
        );
      }
      return (
        `cancel requested for ${who}; still running ${formatDuration(outcome.waitMs)} later, ${waiting} ` +
        '(it may be ignoring its signal; see it with tasktree where)'
      );
    }
  }
}

async function cancel(command: CancelCommand, out: Output): Promise<ExitCodeValue> {
  const outcome = await withClient(command, out, (client) => cancelAndWait(client, command));
  out.write(command.json ? json(outcome) : printable(cancelText(outcome)));
  return outcome.status === 'running' ? ExitCode.stillRunning : ExitCode.ok;
}

/** Runs a command that talks to a process; resolves to the exit code (failures throw CliErrors). */
export async function runCommand(command: Exclude<Command, { kind: 'help' | 'version' }>, out: Output): Promise<ExitCodeValue> {
  switch (command.kind) {
    case 'ps':
    case 'pstree': {
      // The table and the tree show the live tasks only; --json prints the history too.
      const snapshot = await withClient(command, out, (client) => client.snapshot(command.stacks, command.json));
      const hint = command.stacks === null ? { unseenHint: '--stacks' } : {};
      if (command.json) out.write(json(filterSnapshot(snapshot, command.filter)));
      else if (command.kind === 'ps') out.write(printable(formatTable(snapshot, { filter: command.filter, ...hint })));
      else out.write(printable(formatTree(snapshot, { expand: command.expand, filter: command.filter, ...hint })));
      if (command.stacks !== null) stacksNotice(snapshot, out);
      return ExitCode.ok;
    }
    case 'where':
      await where(command, out);
      return ExitCode.ok;
    case 'cancel':
      return cancel(command, out);
    case 'watch':
      await watch(command, out);
      return ExitCode.ok;
    case 'record':
      return record(command, out);
    case 'ui': {
      // Loaded only here: the other commands need no HTTP server.
      const { runUi } = await import('./ui/command.js');
      await runUi(command, out);
      return ExitCode.ok;
    }
  }
}
