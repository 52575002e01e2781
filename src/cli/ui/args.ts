/**
 * The arguments of `tasktree ui PID [--port N] [--host ADDR] [--transport socket|inspector]
 * [--no-open] [--interval MS] [--timeout MS]`, parsed by hand like the other commands (args.ts
 * hands argv over when its command is `ui`).
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
}

export const UI_DEFAULT_HOST = '127.0.0.1';
export const UI_DEFAULT_INTERVAL_MS = 1000;
export const UI_DEFAULT_TIMEOUT_MS = 5000;

const VALUE_OPTIONS = new Set(['--port', '--host', '--transport', '--interval', '--timeout']);
const FLAG_OPTIONS = new Set(['--no-open']);

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
 * Parses argv when its command is `ui`; returns `null` for any other command (or for `--help`,
 * `--version`), which the general parser handles.
 * @throws CliError with the usage exit code.
 */
export function parseUiArgs(argv: readonly string[]): UiCommand | null {
  const positionals: string[] = [];
  const values = new Map<string, string>();
  const flags = new Set<string>();
  let foreign: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h' || arg === '--help' || arg === '-v' || arg === '--version') return null;
    if (arg.startsWith('-') && arg !== '-') {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg : arg.slice(0, eq);
      if (VALUE_OPTIONS.has(name)) {
        const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
        if (value === undefined) throw usage(`${name} needs a value`);
        values.set(name, value);
      } else if (FLAG_OPTIONS.has(name)) {
        if (eq !== -1) throw usage(`${name} takes no value`);
        flags.add(name);
      } else foreign ??= name;
    } else positionals.push(arg);
  }
  if (positionals[0] !== 'ui') return null;
  if (foreign !== undefined) throw usage(`ui does not take ${foreign}`);

  const args = positionals.slice(1);
  if (args.length === 0) throw usage('ui needs PID: tasktree ui PID');
  if (args.length > 1) throw usage(`unexpected argument ${JSON.stringify(args[1])} for ui`);
  const pidText = args[0] as string;
  const pid = /^\d+$/.test(pidText) ? Number(pidText) : Number.NaN;
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid > 0x7fffffff) throw usage(`PID must be a positive integer, got ${JSON.stringify(pidText)}`);

  const transport = values.get('--transport');
  if (transport !== undefined && transport !== 'socket' && transport !== 'inspector') {
    throw usage(`--transport expects socket or inspector, got ${JSON.stringify(transport)}`);
  }
  const host = values.get('--host') ?? UI_DEFAULT_HOST;
  if (host.trim() === '' || /[\s/?#@]/.test(host)) throw usage(`--host expects an address or host name, got ${JSON.stringify(host)}`);
  const text = (option: string): string | undefined => values.get(option);
  return {
    kind: 'ui',
    pid,
    transport: transport ?? null,
    timeoutMs: text('--timeout') === undefined ? UI_DEFAULT_TIMEOUT_MS : integer('--timeout', text('--timeout') as string, 1, 600_000),
    port: text('--port') === undefined ? 0 : integer('--port', text('--port') as string, 0, 65_535),
    host,
    open: !flags.has('--no-open'),
    intervalMs: text('--interval') === undefined ? UI_DEFAULT_INTERVAL_MS : integer('--interval', text('--interval') as string, 100, 3_600_000),
  };
}
