import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The Node binary the suite runs on (the test runner passes it), for child processes. */
export const nodeBinary = process.env.TASKTREE_TEST_NODE ?? process.execPath;

/** The compiled fixture `name` (without extension) in dist/test/fixtures. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}.js`, import.meta.url));
}

export interface Child {
  readonly process: ChildProcess;
  stdout: string;
  stderr: string;
  /** Resolves once `predicate` holds for what the child wrote (checked on every chunk). */
  waitFor(predicate: (c: Child) => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code (or signal) once the child exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node ...nodeArgs <script> ...args`, collecting its output. */
export function startChild(script: string, args: string[] = [], env: NodeJS.ProcessEnv = {}, nodeArgs: string[] = []): Child {
  const proc = spawn(nodeBinary, [...nodeArgs, script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const waiters: (() => void)[] = [];
  const child: Child = {
    process: proc,
    stdout: '',
    stderr: '',
    waitFor(predicate, what, timeoutMs = 20_000) {
      return new Promise<void>((resolve, reject) => {
        const check = (): boolean => {
          if (!predicate(child)) return false;
          clearTimeout(timer);
          resolve();
          return true;
        };
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for ${what}\n--- stdout\n${child.stdout}\n--- stderr\n${child.stderr.slice(-4000)}`)),
          timeoutMs,
        );
        if (!check()) waiters.push(() => void check());
        void child.exited.then(() => {
          if (!check()) {
            clearTimeout(timer);
            reject(new Error(`child exited before ${what}\n--- stdout\n${child.stdout}\n--- stderr\n${child.stderr.slice(-4000)}`));
          }
        });
      });
    },
    exited: new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal }))),
  };
  const notify = (): void => {
    for (const w of waiters.splice(0)) w();
  };
  proc.stdout?.setEncoding('utf8').on('data', (d: string) => {
    child.stdout += d;
    notify();
  });
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => {
    child.stderr += d;
    notify();
  });
  return child;
}
