/**
 * The arguments of `tasktree ui PID [--port N] [--host ADDR] [--transport socket|inspector]
 * [--no-open] [--interval MS] [--timeout MS]`: args.ts parses argv with the other commands' table
 * and hands what it read here.
 */
import type { Connection } from '../args.js';
import { CliError, ExitCode } from '../exit-codes.js';

export interface UiCommand extends Connection {
  readonly kind: 'ui';
  /** 0: any free port. */
  readonly port: number;
  readonly host: string;
  readonly open: boolean;
  readonly intervalMs: number;
  /** `--open FILE`: replay this flight recording instead of reading a process (`pid` is then 0). */
  readonly replay: string | null;
}

export const UI_DEFAULT_HOST = '127.0.0.1';
export const UI_DEFAULT_INTERVAL_MS = 1000;
export const UI_DEFAULT_TIMEOUT_MS = 5000;

function usage(message: string): CliError {
  return new CliError(`${message} (see tasktree --help)`, ExitCode.usage);
}

function integer(option: string, text: string, min: number, max: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw usage(`${option} expects an integer from ${min} to ${max}, got ${JSON.stringify(text)}`);
  }
  return value;
}

/**
 * The `ui` command from what the general parser read (args.ts: the options table says which
 * options `ui` takes). Its timeout is checked against its own range.
 * @throws CliError with the usage exit code.
 */
export function uiCommand(connection: Connection, value: (option: string) => string | undefined, flags: ReadonlySet<string>): UiCommand {
  const host = value('--host') ?? UI_DEFAULT_HOST;
  if (host.trim() === '' || /[\s/?#@]/.test(host)) throw usage(`--host expects an address or host name, got ${JSON.stringify(host)}`);
  const timeout = value('--timeout');
  const port = value('--port');
  const interval = value('--interval');
  return {
    kind: 'ui',
    pid: connection.pid,
    transport: connection.transport,
    timeoutMs: timeout === undefined ? UI_DEFAULT_TIMEOUT_MS : integer('--timeout', timeout, 1, 600_000),
    port: port === undefined ? 0 : integer('--port', port, 0, 65_535),
    host,
    open: !flags.has('--no-open'),
    intervalMs: interval === undefined ? UI_DEFAULT_INTERVAL_MS : integer('--interval', interval, 100, 3_600_000),
    replay: null,
  };
}
