/** The `tasktree` commands: fetch from the agent, render locally, print. */
import { formatTable } from '../inspect/format-table.js';
import { formatTree } from '../inspect/format-tree.js';
import type { Snapshot } from '../inspect/schema.js';
import type { Command, Connection } from './args.js';
import { AgentClient } from './client.js';
import { runUi } from './ui/command.js';

/** Where commands write. */
export interface Output {
  write(text: string): void;
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

async function withClient<T>(connection: Connection, use: (client: AgentClient) => Promise<T>): Promise<T> {
  const client = await AgentClient.open(connection);
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

export type WatchCommand = Extract<Command, { kind: 'watch' }>;

/** One frame of `watch`: a header and the tree; on a terminal, clears the screen and fits it. */
export function watchFrame(command: WatchCommand, snapshot: Snapshot, out: Pick<Output, 'isTTY' | 'columns' | 'rows'>, transport: string): string {
  const time = new Date(snapshot.capturedAt).toTimeString().slice(0, 8);
  const header =
    `tasktree watch · pid ${snapshot.pid} · Node ${snapshot.node} · ${snapshot.tasks.length} live tasks · ${time}` +
    ` · every ${command.intervalMs} ms via ${transport}${out.isTTY ? ' · Ctrl-C to quit' : ''}`;
  const body = printable(formatTree(snapshot, { expand: command.expand }));
  if (!out.isTTY) return `${printable(header)}${body}\n`;
  // A terminal: home, clear, then as much as fits.
  const width = out.columns ?? 80;
  const height = Math.max(3, (out.rows ?? 24) - 1);
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
    await withClient(command, async (client) => {
      for (let frames = 0; !stop; ) {
        const snapshot = await client.snapshot();
        if (stop) break;
        out.write(watchFrame(command, snapshot, out, client.transport.kind));
        frames++;
        if (command.count !== null && frames >= command.count) break;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, command.intervalMs);
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

/** Runs a command that talks to a process. */
export async function runCommand(command: Exclude<Command, { kind: 'help' | 'version' }>, out: Output): Promise<void> {
  switch (command.kind) {
    case 'ps':
    case 'pstree': {
      const snapshot = await withClient(command, (client) => client.snapshot());
      if (command.json) out.write(json(snapshot));
      else if (command.kind === 'ps') out.write(printable(formatTable(snapshot)));
      else out.write(printable(formatTree(snapshot, { expand: command.expand })));
      return;
    }
    case 'where': {
      const result = await withClient(command, (client) => client.where(command.taskId));
      out.write(command.json ? json(result) : printable(result.text));
      return;
    }
    case 'cancel': {
      const result = await withClient(command, (client) => client.cancel(command.taskId, command.reason));
      out.write(command.json ? json(result) : printable(`cancel requested for ${result.cancelled} (${result.path})`));
      return;
    }
    case 'watch':
      await watch(command, out);
      return;
    case 'ui':
      await runUi(command, out);
      return;
  }
}
