/** Hand-written argv parsing for the `tasktree` binary (no dependencies). */
import { CliError, ExitCode } from './exit-codes.js';
import { parseUiArgs } from './ui/args.js';
import type { UiCommand } from './ui/args.js';

export type TransportKind = 'socket' | 'inspector';

/** Options every command that talks to a process takes. */
export interface Connection {
  readonly pid: number;
  /** Forced transport; `null` tries the monitor socket, then the inspector. */
  readonly transport: TransportKind | null;
  readonly timeoutMs: number;
}

export type Command =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | (Connection & { readonly kind: 'ps'; readonly json: boolean })
  | (Connection & { readonly kind: 'pstree'; readonly json: boolean; readonly expand: boolean })
  | (Connection & { readonly kind: 'where'; readonly json: boolean; readonly taskId: string })
  | (Connection & { readonly kind: 'cancel'; readonly json: boolean; readonly taskId: string; readonly reason: string | null })
  | (Connection & {
      readonly kind: 'watch';
      readonly expand: boolean;
      readonly intervalMs: number;
      readonly count: number | null;
    })
  | UiCommand;

export const DEFAULT_TIMEOUT_MS = 5000;
export const DEFAULT_INTERVAL_MS = 1000;

type CommandName = 'ps' | 'pstree' | 'where' | 'cancel' | 'watch';

const POSITIONALS: Record<CommandName, readonly string[]> = {
  ps: ['PID'],
  pstree: ['PID'],
  where: ['PID', 'TASK_ID'],
  cancel: ['PID', 'TASK_ID'],
  watch: ['PID'],
};

/** Options with a value, and the commands taking each option (`*` = every command). */
const VALUE_OPTIONS: Record<string, readonly CommandName[] | '*'> = {
  '--transport': '*',
  '--timeout': '*',
  '--reason': ['cancel'],
  '--interval': ['watch'],
  '--count': ['watch'],
};
const FLAG_OPTIONS: Record<string, readonly CommandName[]> = {
  '--json': ['ps', 'pstree', 'where', 'cancel'],
  '--expand': ['pstree', 'watch'],
};

function usage(message: string): CliError {
  return new CliError(`${message} (see tasktree --help)`, ExitCode.usage);
}

function integer(option: string, text: string, min: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min) {
    throw usage(`${option} expects an integer >= ${min}, got ${JSON.stringify(text)}`);
  }
  return value;
}

function isCommand(name: string): name is CommandName {
  return Object.hasOwn(POSITIONALS, name);
}

/**
 * Parses the arguments after `tasktree`. Options may come anywhere, as `--name value` or
 * `--name=value`; `--` ends the options.
 * @throws CliError with the usage exit code.
 */
export function parseArgs(argv: readonly string[]): Command {
  const ui = parseUiArgs(argv);
  if (ui !== null) return ui;
  const positionals: string[] = [];
  const values = new Map<string, string>();
  const flags = new Set<string>();
  let help = false;
  let version = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-h' || arg === '--help') help = true;
    else if (arg === '-v' || arg === '--version') version = true;
    else if (arg.startsWith('-') && arg !== '-') {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg : arg.slice(0, eq);
      if (Object.hasOwn(VALUE_OPTIONS, name)) {
        let value: string | undefined;
        if (eq !== -1) value = arg.slice(eq + 1);
        else value = argv[++i];
        if (value === undefined) throw usage(`${name} needs a value`);
        values.set(name, value);
      } else if (Object.hasOwn(FLAG_OPTIONS, name)) {
        if (eq !== -1) throw usage(`${name} takes no value`);
        flags.add(name);
      } else throw usage(`unknown option ${JSON.stringify(name)}`);
    } else positionals.push(arg);
  }

  const name = positionals[0];
  if (help || name === 'help') return { kind: 'help' };
  if (version) return { kind: 'version' };
  if (name === undefined) throw usage('missing command');
  if (!isCommand(name)) throw usage(`unknown command ${JSON.stringify(name)}; expected ps, pstree, where, cancel, watch or ui`);

  for (const option of values.keys()) {
    const allowed = VALUE_OPTIONS[option];
    if (allowed !== '*' && !allowed?.includes(name)) throw usage(`${name} does not take ${option}`);
  }
  for (const flag of flags) {
    if (!FLAG_OPTIONS[flag]?.includes(name)) throw usage(`${name} does not take ${flag}`);
  }
  const expected = POSITIONALS[name];
  const args = positionals.slice(1);
  if (args.length < expected.length) throw usage(`${name} needs ${expected.join(' ')}: tasktree ${name} ${expected.join(' ')}`);
  if (args.length > expected.length) throw usage(`unexpected argument ${JSON.stringify(args[expected.length])} for ${name}`);

  const pidText = args[0] as string;
  const pid = /^\d+$/.test(pidText) ? Number(pidText) : Number.NaN;
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid > 0x7fffffff) throw usage(`PID must be a positive integer, got ${JSON.stringify(pidText)}`);

  const transportText = values.get('--transport');
  if (transportText !== undefined && transportText !== 'socket' && transportText !== 'inspector') {
    throw usage(`--transport expects socket or inspector, got ${JSON.stringify(transportText)}`);
  }
  const timeoutText = values.get('--timeout');
  const connection: Connection = {
    pid,
    transport: transportText ?? null,
    timeoutMs: timeoutText === undefined ? DEFAULT_TIMEOUT_MS : integer('--timeout', timeoutText, 1),
  };
  const json = flags.has('--json');
  const expand = flags.has('--expand');
  switch (name) {
    case 'ps':
      return { kind: 'ps', ...connection, json };
    case 'pstree':
      return { kind: 'pstree', ...connection, json, expand };
    case 'where':
    case 'cancel': {
      const taskId = args[1] as string;
      if (taskId === '') throw usage('TASK_ID must not be empty');
      if (name === 'where') return { kind: 'where', ...connection, json, taskId };
      return { kind: 'cancel', ...connection, json, taskId, reason: values.get('--reason') ?? null };
    }
    case 'watch': {
      const intervalText = values.get('--interval');
      const countText = values.get('--count');
      return {
        kind: 'watch',
        ...connection,
        expand,
        intervalMs: intervalText === undefined ? DEFAULT_INTERVAL_MS : integer('--interval', intervalText, 10),
        count: countText === undefined ? null : integer('--count', countText, 1),
      };
    }
  }
}
