/**
 * Hand-written argv parsing for the `tasktree` binary (no dependencies). One table says which
 * options exist, whether they take a value, whether they may be repeated, and which commands take
 * them; adding an option is a row there plus a field in the command it feeds.
 */
import { LIVE_STATES } from '../inspect/filter.js';
import type { LiveState, TaskFilter } from '../inspect/filter.js';
import { CliError, ExitCode } from './exit-codes.js';
import { uiCommand } from './ui/args.js';
import type { UiCommand } from './ui/args.js';

export type TransportKind = 'socket' | 'inspector';

/** Options every command that talks to a process takes. */
export interface Connection {
  readonly pid: number;
  /** Forced transport; `null` tries the monitor socket, then the inspector. */
  readonly transport: TransportKind | null;
  readonly timeoutMs: number;
}

/** `--stacks` (and `where`, unless `--no-stacks`): take every task's stack; `null` when not asked. */
export interface StacksRequest {
  /** `--force`: take them even over the heap limit. */
  readonly force: boolean;
  /** `--max-heap MB`: the heap limit (default: the process's own, 256 MiB). */
  readonly maxHeapMB: number | null;
}

export type Command =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | (Connection & { readonly kind: 'ps'; readonly json: boolean; readonly filter: TaskFilter; readonly stacks: StacksRequest | null })
  | (Connection & {
      readonly kind: 'pstree';
      readonly json: boolean;
      readonly expand: boolean;
      readonly filter: TaskFilter;
      readonly stacks: StacksRequest | null;
    })
  | (Connection & { readonly kind: 'where'; readonly json: boolean; readonly task: string; readonly stacks: StacksRequest | null })
  | (Connection & {
      readonly kind: 'cancel';
      readonly json: boolean;
      readonly task: string;
      readonly reason: string | null;
      /** How long to wait for the task to end after the request; 0 = do not wait. */
      readonly waitMs: number;
    })
  | (Connection & {
      readonly kind: 'watch';
      readonly expand: boolean;
      readonly intervalMs: number;
      readonly count: number | null;
      readonly filter: TaskFilter;
      readonly stacks: StacksRequest | null;
    })
  | (Connection & {
      readonly kind: 'record';
      /** How long to record. */
      readonly seconds: number;
      /** Where to write: a path, `-` for stdout, or `null` for the default file name. */
      readonly out: string | null;
      /** The ring's size when this command switches the recorder on; `null`: the default. */
      readonly capacity: number | null;
    })
  | UiCommand;

export const DEFAULT_TIMEOUT_MS = 5000;
export const DEFAULT_INTERVAL_MS = 1000;
export const DEFAULT_CANCEL_WAIT_MS = 1000;
/** `record --seconds`: at most a day. */
export const MAX_RECORD_SECONDS = 86_400;

export type CommandName = 'ps' | 'pstree' | 'where' | 'cancel' | 'watch' | 'record' | 'ui';

const POSITIONALS: Record<CommandName, readonly string[]> = {
  ps: ['PID'],
  pstree: ['PID'],
  where: ['PID', 'TASK'],
  cancel: ['PID', 'TASK'],
  watch: ['PID'],
  record: ['PID'],
  ui: ['PID'],
};

/** One option of the table. */
export interface OptionSpec {
  /** The value's name in messages (`MS`, `GLOB`), or null for a flag. */
  readonly value: string | null;
  /** The commands taking it (`*` = every command). */
  readonly commands: readonly CommandName[] | '*';
  /** May be given more than once (every value is kept). */
  readonly repeatable?: boolean;
}

const FILTERED: readonly CommandName[] = ['ps', 'pstree', 'watch'];
const STACKED: readonly CommandName[] = ['ps', 'pstree', 'watch', 'where'];

/** Every option (besides -h/--help and -v/--version). `--help` and the README list the same. */
export const OPTIONS: Readonly<Record<string, OptionSpec>> = {
  '--json': { value: null, commands: ['ps', 'pstree', 'where', 'cancel'] },
  '--transport': { value: 'socket|inspector', commands: '*' },
  '--timeout': { value: 'MS', commands: '*' },
  '--expand': { value: null, commands: ['pstree', 'watch'] },
  '--name': { value: 'GLOB', commands: FILTERED },
  '--state': { value: 'STATE', commands: FILTERED, repeatable: true },
  '--attr': { value: 'KEY=VALUE', commands: FILTERED, repeatable: true },
  '--reason': { value: 'TEXT', commands: ['cancel'] },
  '--wait': { value: 'MS', commands: ['cancel'] },
  '--interval': { value: 'MS', commands: ['watch', 'ui'] },
  '--count': { value: 'N', commands: ['watch'] },
  '--stacks': { value: null, commands: ['ps', 'pstree', 'watch'] },
  '--no-stacks': { value: null, commands: ['where'] },
  '--force': { value: null, commands: STACKED },
  '--max-heap': { value: 'MB', commands: STACKED },
  '--port': { value: 'N', commands: ['ui'] },
  '--host': { value: 'ADDR', commands: ['ui'] },
  '--no-open': { value: null, commands: ['ui'] },
  '--seconds': { value: 'N', commands: ['record'] },
  '--out': { value: 'FILE', commands: ['record'] },
  '--capacity': { value: 'N', commands: ['record'] },
  '--open': { value: 'FILE', commands: ['ui'] },
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

function takes(spec: OptionSpec, command: CommandName): boolean {
  return spec.commands === '*' || spec.commands.includes(command);
}

/** `--name`, `--state` (repeatable: any of them) and `--attr` (repeatable: all of them). */
function parseFilter(values: ReadonlyMap<string, readonly string[]>): TaskFilter {
  const name = values.get('--name')?.at(-1);
  if (name === '') throw usage('--name expects a glob (* and ? are wildcards), got ""');
  const states: LiveState[] = [];
  for (const text of values.get('--state') ?? []) {
    const state = LIVE_STATES.find((s) => s === text);
    if (state === undefined) throw usage(`--state expects ${LIVE_STATES.slice(0, -1).join(', ')} or ${LIVE_STATES.at(-1) as string}, got ${JSON.stringify(text)}`);
    if (!states.includes(state)) states.push(state);
  }
  const attributes: Record<string, string> = {};
  for (const text of values.get('--attr') ?? []) {
    const eq = text.indexOf('=');
    if (eq <= 0) throw usage(`--attr expects KEY=VALUE, got ${JSON.stringify(text)}`);
    const key = text.slice(0, eq);
    const value = text.slice(eq + 1);
    if (Object.hasOwn(attributes, key) && attributes[key] !== value) {
      throw usage(`--attr ${key} is given two values (${JSON.stringify(attributes[key])} and ${JSON.stringify(value)}); a task has one`);
    }
    attributes[key] = value;
  }
  return {
    ...(name === undefined ? {} : { name }),
    ...(states.length === 0 ? {} : { states }),
    ...(Object.keys(attributes).length === 0 ? {} : { attributes }),
  };
}

/** `tasktree ui --open FILE`: no PID, no transport; the server's own options only. */
function replayCommand(values: ReadonlyMap<string, readonly string[]>, flags: ReadonlySet<string>, args: readonly string[]): Command {
  if (args.length > 0) throw usage(`ui --open FILE replays a recording and reads no process: unexpected argument ${JSON.stringify(args[0])}`);
  for (const option of ['--transport', '--timeout', '--interval']) {
    if (values.has(option)) throw usage(`ui --open FILE does not take ${option}: it reads no process`);
  }
  const file = values.get('--open')?.[0] ?? '';
  if (file === '') throw usage('--open expects a recording file (written by tasktree record), got ""');
  const command = uiCommand({ pid: 0, transport: null, timeoutMs: DEFAULT_TIMEOUT_MS }, (option) => values.get(option)?.[0], flags);
  return { ...command, replay: file };
}

/**
 * Parses the arguments after `tasktree`. Options may come anywhere, as `--name value` or
 * `--name=value`; `--` ends the options. An option that is not repeatable keeps its last value.
 * @throws CliError with the usage exit code.
 */
export function parseArgs(argv: readonly string[]): Command {
  const positionals: string[] = [];
  const values = new Map<string, string[]>();
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
      const spec = Object.hasOwn(OPTIONS, name) ? OPTIONS[name] : undefined;
      if (spec === undefined) throw usage(`unknown option ${JSON.stringify(name)}`);
      if (spec.value === null) {
        if (eq !== -1) throw usage(`${name} takes no value`);
        flags.add(name);
        continue;
      }
      const value = eq !== -1 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw usage(`${name} needs a value (${spec.value})`);
      const list = values.get(name);
      if (list === undefined) values.set(name, [value]);
      else if (spec.repeatable === true) list.push(value);
      else list[0] = value;
    } else positionals.push(arg);
  }

  const name = positionals[0];
  if (help || name === 'help') return { kind: 'help' };
  if (version) return { kind: 'version' };
  if (name === undefined) throw usage('missing command');
  if (!isCommand(name)) throw usage(`unknown command ${JSON.stringify(name)}; expected ps, pstree, where, cancel, watch, record or ui`);

  for (const option of [...values.keys(), ...flags]) {
    if (!takes(OPTIONS[option] as OptionSpec, name)) throw usage(`${name} does not take ${option}`);
  }
  const args = positionals.slice(1);
  if (name === 'ui' && values.has('--open')) return replayCommand(values, flags, args);
  const expected = POSITIONALS[name];
  if (args.length < expected.length) throw usage(`${name} needs ${expected.join(' ')}: tasktree ${name} ${expected.join(' ')}`);
  if (args.length > expected.length) throw usage(`unexpected argument ${JSON.stringify(args[expected.length])} for ${name}`);

  const pidText = args[0] as string;
  const pid = /^\d+$/.test(pidText) ? Number(pidText) : Number.NaN;
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid > 0x7fffffff) throw usage(`PID must be a positive integer, got ${JSON.stringify(pidText)}`);

  const value = (option: string): string | undefined => values.get(option)?.[0];
  const transportText = value('--transport');
  if (transportText !== undefined && transportText !== 'socket' && transportText !== 'inspector') {
    throw usage(`--transport expects socket or inspector, got ${JSON.stringify(transportText)}`);
  }
  const timeoutText = value('--timeout');
  const connection: Connection = {
    pid,
    transport: transportText ?? null,
    timeoutMs: timeoutText === undefined ? DEFAULT_TIMEOUT_MS : integer('--timeout', timeoutText, 1),
  };
  const json = flags.has('--json');
  const expand = flags.has('--expand');
  const wantsStacks = name === 'where' ? !flags.has('--no-stacks') : flags.has('--stacks');
  if (!wantsStacks && (flags.has('--force') || values.has('--max-heap'))) {
    throw usage(`--force and --max-heap go with ${name === 'where' ? 'the stacks (drop --no-stacks)' : '--stacks'}`);
  }
  const heapText = value('--max-heap');
  const stacks: StacksRequest | null = wantsStacks
    ? { force: flags.has('--force'), maxHeapMB: heapText === undefined ? null : integer('--max-heap', heapText, 1) }
    : null;
  switch (name) {
    case 'ps':
      return { kind: 'ps', ...connection, json, filter: parseFilter(values), stacks };
    case 'pstree':
      return { kind: 'pstree', ...connection, json, expand, filter: parseFilter(values), stacks };
    case 'where':
    case 'cancel': {
      const task = args[1] as string;
      if (task === '') throw usage('TASK must not be empty: give a task id, the end of one, or a task name');
      if (name === 'where') return { kind: 'where', ...connection, json, task, stacks };
      const waitText = value('--wait');
      return {
        kind: 'cancel',
        ...connection,
        json,
        task,
        reason: value('--reason') ?? null,
        waitMs: waitText === undefined ? DEFAULT_CANCEL_WAIT_MS : integer('--wait', waitText, 0),
      };
    }
    case 'watch': {
      const intervalText = value('--interval');
      const countText = value('--count');
      return {
        kind: 'watch',
        ...connection,
        expand,
        intervalMs: intervalText === undefined ? DEFAULT_INTERVAL_MS : integer('--interval', intervalText, 10),
        count: countText === undefined ? null : integer('--count', countText, 1),
        filter: parseFilter(values),
        stacks,
      };
    }
    case 'record': {
      const secondsText = value('--seconds');
      if (secondsText === undefined) throw usage('record needs --seconds N: how long to record (tasktree record PID --seconds 10)');
      const seconds = /^\d+(\.\d+)?$/.test(secondsText) ? Number(secondsText) : Number.NaN;
      if (!(seconds > 0 && seconds <= MAX_RECORD_SECONDS)) {
        throw usage(`--seconds expects a number of seconds from more than 0 to ${MAX_RECORD_SECONDS}, got ${JSON.stringify(secondsText)}`);
      }
      const out = value('--out');
      if (out === '') throw usage('--out expects a file name, or - for stdout, got ""');
      const capacityText = value('--capacity');
      const capacity = capacityText === undefined ? null : integer('--capacity', capacityText, 16);
      if (capacity !== null && capacity > 10_000_000) throw usage(`--capacity expects an integer from 16 to 10000000, got ${JSON.stringify(capacityText)}`);
      return { kind: 'record', ...connection, seconds, out: out ?? null, capacity };
    }
    case 'ui':
      return uiCommand(connection, value, flags);
  }
}
