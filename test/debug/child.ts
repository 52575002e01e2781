// Runs compiled fixtures in child processes, with extra environment variables.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const NODE = process.env['TASKTREE_TEST_NODE'] ?? process.execPath;

/** The compiled fixture `test/fixtures/<name>.ts`. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}.js`, import.meta.url));
}

/** `dist/test/fixtures/<name>.js:<line>`: where the compiled fixture has `marker`, as reports show it. */
export function markerLocation(name: string, marker: string): string {
  const lines = readFileSync(fixture(name), 'utf8').split('\n');
  const index = lines.findIndex((line) => line.includes(marker));
  if (index === -1) throw new Error(`no ${marker} in fixture ${name}`);
  return `dist/test/fixtures/${name}.js:${index + 1}`;
}

export interface ChildRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const root = fileURLToPath(new URL('../../..', import.meta.url));

/** Runs `node ...args` from the repository root (reports show paths relative to it). */
export function runNode(args: readonly string[], env: Record<string, string | undefined> = {}, timeoutMs = 60_000): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    // NODE_TEST_CONTEXT: a nested `node --test` would otherwise report to this runner.
    const childEnv: Record<string, string | undefined> = { ...process.env, TASKTREE_DEBUG: undefined, NODE_OPTIONS: undefined, NODE_TEST_CONTEXT: undefined, ...env };
    for (const key of Object.keys(childEnv)) if (childEnv[key] === undefined) delete childEnv[key];
    const child = spawn(NODE, args, { cwd: root, env: childEnv as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs a fixture. */
export function runFixture(name: string, args: readonly string[] = [], env: Record<string, string | undefined> = {}): Promise<ChildRun> {
  return runNode([fixture(name), ...args], env);
}
