// Shared by the core tests: latches, ticks, and child-process fixtures.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TaskGroupError } from '../../src/index.js';

/** A promise you release yourself: `await l.promise` waits until `l.release(value)`. */
export interface Latch<T = void> {
  readonly promise: Promise<T>;
  readonly released: boolean;
  release(value: T): void;
  fail(error: unknown): void;
}

export function latch<T = void>(): Latch<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  let released = false;
  return {
    promise,
    get released() {
      return released;
    },
    release(value: T) {
      released = true;
      resolve(value);
    },
    fail(error: unknown) {
      released = true;
      reject(error);
    },
  };
}

/** Lets every pending microtask and one macrotask turn run. */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** `n` macrotask turns. */
export async function ticks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await tick();
}

/** Resolves with how the promise settled, never rejects. */
export async function outcome<T>(p: PromiseLike<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Resolves with the promise's rejection; fails if it fulfils. */
export async function rejection(p: PromiseLike<unknown>): Promise<unknown> {
  const o = await outcome(p);
  if (o.ok) throw new Error(`expected a rejection, got ${String(o.value)}`);
  return o.error;
}

/** Every leaf error in a TaskGroupError tree (nested TaskGroupErrors are walked). */
export function leafErrors(error: unknown): unknown[] {
  if (!(error instanceof TaskGroupError)) return [error];
  return error.errors.flatMap(leafErrors);
}

/** The Node binary the suite runs on (scripts/test.js sets it). */
export const NODE = process.env['TASKTREE_TEST_NODE'] ?? process.execPath;

/** The compiled fixture `test/fixtures/<name>.ts`. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}.js`, import.meta.url));
}

export interface ChildRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a fixture in a child process. `onLine(line, child)` sees each stdout line as it comes
 * (to send signals at the right moment).
 */
export function runFixture(
  name: string,
  args: readonly string[] = [],
  onLine?: (line: string, child: import('node:child_process').ChildProcess) => void,
  onErrorLine?: (line: string, child: import('node:child_process').ChildProcess) => void,
): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [fixture(name), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) !== -1) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        onLine?.(line, child);
      }
    });
    let pendingError = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      pendingError += chunk;
      let nl: number;
      while ((nl = pendingError.indexOf('\n')) !== -1) {
        const line = pendingError.slice(0, nl);
        pendingError = pendingError.slice(nl + 1);
        onErrorLine?.(line, child);
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** A promise whose settlement you can check synchronously; never rejects unhandled. */
export interface Tracked<T> {
  readonly done: boolean;
  readonly promise: Promise<T>;
}

export function track<T>(p: Promise<T>): Tracked<T> {
  let done = false;
  const settle = (): void => {
    done = true;
  };
  p.then(settle, settle);
  return {
    get done() {
      return done;
    },
    promise: p,
  };
}

/** Both ways a cancellable child can behave. */
export const MODES = ['honour', 'ignore'] as const;
export type Mode = (typeof MODES)[number];

/**
 * A child body: `honour` sleeps until cancelled (and rejects with the cancellation); `ignore`
 * waits for `release` whatever its signal says, then returns `value`.
 */
export function waiter<T>(mode: Mode, release: Latch, value: T): (task: { signal: AbortSignal }) => Promise<T> {
  return async (task) => {
    if (mode === 'honour') {
      await new Promise<never>((_, reject) => {
        if (task.signal.aborted) reject(task.signal.reason);
        task.signal.addEventListener('abort', () => reject(task.signal.reason), { once: true });
      });
    }
    await release.promise;
    return value;
  };
}
