/**
 * What the CLI learns about a target process before touching it: does it exist, may we signal it,
 * is it Node (SIGUSR1 kills most other programs), and which port its inspector will listen on.
 * Reads `/proc` on Linux; elsewhere asks `ps`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { basename } from 'node:path';
import { CliError, ExitCode } from './exit-codes.js';

/**
 * Whether `pid` is a zombie: it exited, but its parent has not reaped it yet, so it still answers
 * signal 0 (and has no executable or command line to read). False when `/proc` cannot tell.
 */
export function isZombie(pid: number): boolean {
  try {
    // /proc/PID/stat: "pid (comm) S ..."; the state follows the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const end = stat.lastIndexOf(')');
    return stat.slice(end + 2, end + 3) === 'Z';
  } catch {
    return false;
  }
}

/** The error for a process that exited but is not reaped yet. */
function zombie(pid: number): CliError {
  return new CliError(`pid ${pid} has exited (zombie, not yet reaped by its parent)`, ExitCode.noSuchProcess);
}

/**
 * Whether `pid` may be signalled. Throws CliError when the process does not exist, or has exited
 * and waits to be reaped (a zombie).
 */
export function checkProcess(pid: number): { readonly signallable: boolean } {
  let signallable: boolean;
  try {
    process.kill(pid, 0);
    signallable = true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') throw new CliError(`no process with pid ${pid}`, ExitCode.noSuchProcess);
    if (code !== 'EPERM') throw error;
    signallable = false;
  }
  if (isZombie(pid)) throw zombie(pid);
  return { signallable };
}

/**
 * Whether `pid` is still running: it exists, and is not a zombie (a process that exited but that
 * its parent has not reaped yet still answers signal 0).
 */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return !isZombie(pid);
}

/** The error for a process we may not signal. */
export function permissionDenied(pid: number): CliError {
  return new CliError(`permission denied for pid ${pid} (it belongs to another user)`, ExitCode.permissionDenied);
}

/** True for the file names Node binaries go by: node, nodejs, node20, node-24, node.exe… */
export function isNodeBinaryName(path: string): boolean {
  return /^(node|nodejs)([-_]?v?\d+(\.\d+)*)?(\.exe)?$/i.test(basename(path));
}

function readProc(pid: number, file: string): Buffer | null {
  try {
    return readFileSync(`/proc/${pid}/${file}`);
  } catch {
    return null;
  }
}

function nulSeparated(buffer: Buffer | null): string[] | null {
  if (buffer === null) return null;
  const parts = buffer.toString('utf8').split('\0');
  if (parts.at(-1) === '') parts.pop();
  return parts;
}

/** What a process runs. Fields are `null` when they cannot be read. */
export interface ProcessIdentity {
  /** The executable (`/proc/PID/exe`). */
  readonly exe: string | null;
  /** The command line (`/proc/PID/cmdline`). */
  readonly argv: readonly string[] | null;
  /** `NODE_OPTIONS` from `/proc/PID/environ` when readable (same user), else `null`. */
  readonly nodeOptions: string | null;
}

/** Reads what the process `pid` runs (see {@link ProcessIdentity}). */
export function readProcessIdentity(pid: number): ProcessIdentity {
  let exe: string | null = null;
  try {
    exe = readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '');
  } catch {
    // Another user's process, a zombie, or no /proc.
  }
  let argv = nulSeparated(readProc(pid, 'cmdline'));
  if (argv === null && process.platform !== 'linux') {
    try {
      const out = execFileSync('ps', ['-o', 'comm=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      exe = out.trim() || null;
      const args = execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      argv = args.trim().split(/\s+/);
    } catch {
      // No ps either.
    }
  }
  const environ = nulSeparated(readProc(pid, 'environ'));
  const nodeOptions = environ?.find((entry) => entry.startsWith('NODE_OPTIONS='))?.slice('NODE_OPTIONS='.length) ?? null;
  return { exe, argv, nodeOptions };
}

/**
 * Throws CliError (not a Node process) unless the executable or argv[0] of the process is a Node
 * binary. Called before any SIGUSR1 is sent.
 */
export function assertNodeProcess(pid: number, identity: ProcessIdentity): void {
  const argv0 = identity.argv?.[0] ?? null;
  if (identity.exe !== null && isNodeBinaryName(identity.exe)) return;
  if (argv0 !== null && argv0 !== '' && isNodeBinaryName(argv0)) return;
  const what = identity.exe ?? argv0 ?? 'its executable cannot be read';
  throw new CliError(`pid ${pid} is not a Node process (${what})`, ExitCode.notNode);
}

/** Where a process's inspector listens (or will listen once it gets SIGUSR1). */
export interface InspectorAddress {
  /** The host to connect to (a wildcard bind address is replaced by loopback). */
  readonly host: string;
  readonly port: number;
}

/** Node options that take their value as the next argument. */
const OPTIONS_WITH_VALUE = new Set([
  '-r', '--require', '--import', '--loader', '--experimental-loader', '-e', '--eval', '-p', '--print',
  '--inspect-port', '--debug-port', '--title', '--input-type', '-C', '--conditions', '--env-file',
  '--disable-warning', '--redirect-warnings', '--report-signal', '--report-dir', '--report-directory',
  '--report-filename', '--diagnostic-dir', '--heapsnapshot-signal', '--cpu-prof-dir', '--cpu-prof-name',
  '--heap-prof-dir', '--heap-prof-name', '--icu-data-dir', '--openssl-config', '--secure-heap',
  '--secure-heap-min', '--unhandled-rejections', '--dns-result-order', '--watch-path', '--test-reporter',
  '--test-reporter-destination', '--test-name-pattern', '--experimental-default-type', '--localstorage-file',
  '--stack-trace-limit', '--max-old-space-size', '--max-semi-space-size', '--trace-event-categories',
  '--trace-event-file-pattern', '--tls-cipher-list', '--tls-keylog', '--use-largepages', '--env-file-if-exists',
]);

function applyHostPort(address: { host: string; port: number }, value: string): void {
  if (/^\d+$/.test(value)) {
    address.port = Number(value);
    return;
  }
  const colon = value.lastIndexOf(':');
  const hasPort = colon !== -1 && /^\d+$/.test(value.slice(colon + 1)) && !(value.startsWith('[') && value.endsWith(']'));
  if (hasPort) {
    address.host = value.slice(0, colon);
    address.port = Number(value.slice(colon + 1));
  } else address.host = value;
}

/** Applies the inspector options among Node's own options in `args` (stops at the script). */
function scanOptions(args: readonly string[], address: { host: string; port: number }): void {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--' || arg === '-' || !arg.startsWith('-')) return;
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    let value = eq === -1 ? null : arg.slice(eq + 1);
    if (value === null && OPTIONS_WITH_VALUE.has(name)) value = args[++i] ?? null;
    if (value === null) continue;
    if (name === '--inspect-port' || name === '--debug-port' || name === '--inspect' || name === '--inspect-brk' || name === '--inspect-wait') {
      applyHostPort(address, value);
    }
  }
}

/** Splits NODE_OPTIONS the way Node does: on spaces, with double-quoted parts kept whole. */
export function splitNodeOptions(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  let started = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === '\\' && quoted && i + 1 < text.length) {
      current += text[++i];
    } else if (ch === '"') {
      quoted = !quoted;
      started = true;
    } else if (ch === ' ' && !quoted) {
      if (started) out.push(current);
      current = '';
      started = false;
    } else {
      current += ch;
      started = true;
    }
  }
  if (started) out.push(current);
  return out;
}

/**
 * The address the inspector of a process listens on: from `--inspect-port`, `--inspect[-brk|-wait]`
 * or `--debug-port` on its command line, else in its NODE_OPTIONS, else 127.0.0.1:9229.
 */
export function inspectorAddress(identity: Pick<ProcessIdentity, 'argv' | 'nodeOptions'>): InspectorAddress {
  const address = { host: '127.0.0.1', port: 9229 };
  if (identity.nodeOptions !== null) scanOptions(splitNodeOptions(identity.nodeOptions), address);
  if (identity.argv !== null) scanOptions(identity.argv.slice(1), address);
  let host = address.host.replace(/^\[(.*)\]$/, '$1');
  if (host === '' || host === '0.0.0.0') host = '127.0.0.1';
  else if (host === '::') host = '::1';
  return { host, port: address.port };
}
