// `--stacks` from outside, over both transports, against a process whose tasks wait at known lines.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Snapshot, StackFrame } from '../../src/inspect/schema.js';
import { cycleReport, deadlockReport } from '../helpers/deadlocks.js';
import { checkStacks, source, tags } from '../helpers/stacks.js';
import type { Child } from './helpers.js';
import { freePort, isolatedEnv, killAll, privateRuntimeDir, removeDir, runCli, startFixture } from './helpers.js';

const FILE = 'test/fixtures/stacks-target.ts';
const where = tags(source);
const at = (tag: string): string => `${FILE}:${where.get(tag)?.line}:${where.get(tag)?.column}`;

/** Starts a fixture that waits for the CLI, reachable over `transport`, with source maps. */
async function startTarget(name: string, args: readonly string[], transport: 'socket' | 'inspector', env: NodeJS.ProcessEnv): Promise<Child> {
  const nodeArgs = ['--enable-source-maps', ...(transport === 'inspector' ? [`--inspect-port=${await freePort()}`] : [])];
  return startFixture(name, { args, nodeArgs, env: transport === 'socket' ? { ...env, TASKTREE_MONITOR: '1' } : env });
}

for (const transport of ['socket', 'inspector'] as const) {
  describe(`tasktree --stacks over the ${transport === 'socket' ? 'monitor socket' : 'inspector'}`, () => {
    let runtimeDir = '';
    let env: NodeJS.ProcessEnv = {};
    let target: Child;
    let pid = '';

    before(async () => {
      runtimeDir = privateRuntimeDir();
      env = isolatedEnv(runtimeDir);
      target = await startTarget('stacks-target', ['serve'], transport, env);
      pid = target.ready.trim();
    });

    after(async () => {
      await killAll();
      removeDir(runtimeDir);
    });

    const cli = (...args: string[]) => runCli([...args, '--transport', transport], { env, timeoutMs: 120_000 });

    it('pstree --stacks --json carries every frame, exactly', async () => {
      const result = await cli('pstree', pid, '--stacks', '--json');
      assert.equal(result.code, 0, result.stderr);
      checkStacks(JSON.parse(result.stdout) as Snapshot, FILE, where, 'report-serve');
      assert.match(result.stderr, /^tasktree: stacks of 20 tasks taken in .+; pid \d+ was stopped for .+ at most \(.+ in all; a heap of \d+ MiB\); two rounds, for a promise several async functions await\n$/);
      assert.ok(target.alive());
    });

    it('pstree --stacks hangs each task’s frames under it, outermost first', async () => {
      const result = await cli('pstree', pid, '--stacks');
      assert.equal(result.code, 0, result.stderr);
      const lines = result.stdout.split('\n');
      const nested = lines.findIndex((line) => / nested \[/.test(line));
      assert.match(lines[nested + 1] as string, new RegExp(`── <anonymous> ${FILE}:${where.get('nested')?.line}$`));
      assert.match(lines[nested + 2] as string, new RegExp(`── helperA ${FILE}:${where.get('helperA')?.line}$`));
      assert.match(lines[nested + 3] as string, new RegExp(`── helperB ${FILE}:${where.get('helperB')?.line}$`));
      assert.match(result.stdout, /── waitGate .* — awaits a promise that can never settle/);
      assert.match(result.stdout, /Promise\.all #0: helperA /);
      assert.match(result.stdout, /awaits nested \[[^\]]+\] \(shown where it runs\)/);
    });

    it('ps --stacks has a STACK column, innermost first', async () => {
      const result = await cli('ps', pid, '--stacks');
      assert.equal(result.code, 0, result.stderr);
      const header = result.stdout.split('\n')[0] as string;
      assert.match(header, / STACK$/);
      const row = result.stdout.split('\n').find((line) => /^\S+\s+nested\s/.test(line)) as string;
      assert.match(row, /helperB ← helperA ← <anonymous>$/);
      assert.match(result.stdout, /\(never-settles\) it awaits a promise that can never settle/);
    });

    it('where shows the full stack with file:line:col, and --no-stacks skips it', async () => {
      const result = await cli('where', pid, 'nested');
      assert.equal(result.code, 0, result.stderr);
      const lines = result.stdout.split('\n');
      const start = lines.indexOf('  suspended at');
      assert.ok(start > 0, result.stdout);
      assert.deepEqual(lines.slice(start + 1, start + 4), [
        `    helperB (${at('helperB')})`,
        `    helperA (${at('helperA')})`,
        `    <anonymous> (${at('nested')})`,
      ]);
      const json = await cli('where', pid, 'nested', '--json');
      const stack = (JSON.parse(json.stdout) as { task: { stack: StackFrame[] } }).task.stack;
      assert.deepEqual(stack.map((frame) => frame.fn), ['helperB', 'helperA', '<anonymous>']);
      const quick = await cli('where', pid, 'nested', '--no-stacks');
      assert.equal(quick.code, 0, quick.stderr);
      assert.doesNotMatch(quick.stdout, /suspended at/);
      assert.equal(quick.stderr, '');
    });

    it('says how to see where a task waits when tasktree saw no wait', async () => {
      const result = await cli('pstree', pid);
      assert.match(result.stdout.split('\n').find((line) => / fetch \[/.test(line)) as string, / — waiting on \? \(see --stacks\)$/);
      assert.match(result.stdout.split('\n').find((line) => / sleeps \[/.test(line)) as string, /waiting on sleep 1000000000 ms/);
    });

    it('refuses a heap over the limit with the estimated stop, unless --force', async () => {
      const result = await cli('ps', pid, '--stacks', '--max-heap', '1');
      assert.equal(result.code, 12, result.stderr);
      assert.match(result.stderr, /^tasktree: pid \d+ did not take the stacks: the heap holds \d+ MiB \(limit 1 MiB\): taking the stacks would stop the process for about \d+ s .*--force/);
      const forced = await cli('ps', pid, '--stacks', '--max-heap', '1', '--force');
      assert.equal(forced.code, 0, forced.stderr);
    });
  });
}

// A deadlock, seen from outside: the report under the tree names the line where each task waits.

for (const transport of ['socket', 'inspector'] as const) {
  describe(`tasktree pstree --stacks on a deadlocked process, over the ${transport === 'socket' ? 'monitor socket' : 'inspector'}`, () => {
    let runtimeDir = '';
    let env: NodeJS.ProcessEnv = {};
    let pid = '';

    before(async () => {
      runtimeDir = privateRuntimeDir();
      env = isolatedEnv(runtimeDir);
      pid = (await startTarget('inspect-deadlocks', ['cycle', 'serve'], transport, env)).ready.trim();
    });

    after(async () => {
      await killAll();
      removeDir(runtimeDir);
    });

    it('prints the cycle, and the line where each of its tasks waits', async () => {
      const result = await runCli(['pstree', pid, '--stacks', '--transport', transport], { env, timeoutMs: 120_000 });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(deadlockReport(result.stdout), cycleReport(true));
    });

    it('prints the cycle without stacks too, as the cycle alone', async () => {
      const result = await runCli(['pstree', pid, '--transport', transport], { env, timeoutMs: 60_000 });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(deadlockReport(result.stdout), cycleReport(false));
    });
  });
}
