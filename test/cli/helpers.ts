// Shared by the CLI and monitor tests: start fixture processes, run the CLI, wait without racing.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Node binary the suite runs on (scripts/test.js sets it), used for every child. */
export const NODE = process.env['TASKTREE_TEST_NODE'] ?? process.execPath;

/** The compiled CLI entry. */
export const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

/** The compiled fixture `name` (test/fixtures/name.ts). */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}.js`, import.meta.url));
}

/** A private, 0700 XDG_RUNTIME_DIR so tests never share monitor sockets. Remove it with `rmSync`. */
export function privateRuntimeDir(): string {
  return mkdtempSync(join(tmpdir(), 'tasktree-test-'));
}

/** The environment of a test's targets and CLI runs: its own runtime dir; no monitor, no NODE_OPTIONS from the runner. */
export function isolatedEnv(runtimeDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_RUNTIME_DIR: runtimeDir };
  delete env['TASKTREE_MONITOR'];
  delete env['NODE_OPTIONS'];
  return env;
}

export function removeDir(path: string): void {
  rmSync(path, { recursive: true, force: true });
}

/** A running child process with its output collected. */
export interface Child {
  readonly process: ChildProcess;
  readonly pid: number;
  /** The ready line (without the `ready ` prefix). */
  readonly ready: string;
  readonly stdoutLines: string[];
  stderr(): string;
  /** Resolves with the first stdout line matching `pattern` (already printed or to come). */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  alive(): boolean;
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started = new Set<ChildProcess>();

/** Kills every child started by this test file (call it in `after()`). */
export async function killAll(): Promise<void> {
  const waits: Promise<unknown>[] = [];
  for (const child of started) {
    if (child.exitCode === null && child.signalCode === null) {
      waits.push(new Promise((resolve) => child.once('exit', resolve)));
      child.kill('SIGKILL');
    }
  }
  started.clear();
  await Promise.all(waits);
}

/**
 * Starts `command args` and resolves once it printed a line starting with `ready` (or matching
 * `readyPattern`) on stdout.
 * Rejects (with its stderr) if it exits or takes longer than `timeoutMs` first.
 */
export function startChild(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; stdin?: boolean; readyPattern?: RegExp } = {},
): Promise<Child> {
  const proc = spawn(command, args, {
    env: options.env ?? process.env,
    stdio: [options.stdin === true ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  started.add(proc);
  const stdoutLines: string[] = [];
  let stderr = '';
  let partial = '';
  const listeners = new Set<() => void>();
  proc.stdout?.setEncoding('utf8');
  proc.stderr?.setEncoding('utf8');
  proc.stdout?.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    stdoutLines.push(...parts);
    for (const listener of listeners) listener();
  });
  proc.stderr?.on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.once('exit', (code, signal) => {
      for (const listener of listeners) listener();
      resolve({ code, signal });
    });
  });

  const waitForLine = (pattern: RegExp, timeoutMs = 10_000): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const line = stdoutLines.find((l) => pattern.test(l));
        if (line !== undefined) finish(() => resolve(line));
        else if (proc.exitCode !== null || proc.signalCode !== null) {
          finish(() => reject(new Error(`${args.join(' ')} exited (${proc.exitCode ?? proc.signalCode}) before printing ${pattern}; stderr:\n${stderr}`)));
        }
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; stdout:\n${stdoutLines.join('\n')}\nstderr:\n${stderr}`))),
        timeoutMs,
      );
      const finish = (then: () => void): void => {
        clearTimeout(timer);
        listeners.delete(check);
        then();
      };
      listeners.add(check);
      check();
    });

  return waitForLine(options.readyPattern ?? /^ready/, options.timeoutMs ?? 10_000).then((line) => ({
    process: proc,
    pid: proc.pid as number,
    ready: line.slice('ready'.length).trim(),
    stdoutLines,
    stderr: () => stderr,
    waitForLine,
    alive: () => proc.exitCode === null && proc.signalCode === null,
    exited,
  }));
}

/** Starts a compiled fixture with the suite's Node; `nodeArgs` go before the script. */
export function startFixture(
  name: string,
  options: { args?: readonly string[]; nodeArgs?: readonly string[]; env?: NodeJS.ProcessEnv; stdin?: boolean } = {},
): Promise<Child> {
  return startChild(NODE, [...(options.nodeArgs ?? []), fixture(name), ...(options.args ?? [])], options);
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the `tasktree` CLI to completion. */
export function runCli(args: readonly string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(NODE, [CLI, ...args], { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    started.add(proc);
    let stdout = '';
    let stderr = '';
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`tasktree ${args.join(' ')} did not finish within ${options.timeoutMs ?? 20_000} ms; stderr:\n${stderr}`));
    }, options.timeoutMs ?? 20_000);
    proc.once('close', (code) => {
      clearTimeout(timer);
      started.delete(proc);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts a process that prints nothing (e.g. `sleep 30`); it is killed by `killAll()`. */
export function spawnTracked(command: string, args: readonly string[]): ChildProcess {
  const proc = spawn(command, args, { stdio: 'ignore' });
  started.add(proc);
  return proc;
}

/** A TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** Polls `check` every `intervalMs` until it returns true; rejects after `timeoutMs`. */
export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5000, intervalMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Whether something answers HTTP `GET /json/list` on 127.0.0.1:port (i.e. an inspector is open). */
export function inspectorAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/json/list', agent: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}
