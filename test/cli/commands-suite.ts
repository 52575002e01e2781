// The CLI commands against a real tasktree process, shared by the socket and inspector test files.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Child, CliResult } from './helpers.js';
import { killAll, privateRuntimeDir, removeDir, runCli, startFixture } from './helpers.js';

export interface SuiteOptions {
  /** Which transport the CLI must end up using. */
  readonly transport: 'socket' | 'inspector';
  /** Arguments of the fixture (`--monitor`) and Node options (`--inspect-port=N`). */
  readonly fixtureArgs: readonly string[];
  readonly nodeArgs: () => Promise<readonly string[]>;
  /** Checked after every CLI run. */
  readonly afterEachRun?: (target: Child) => Promise<void>;
}

interface Ready {
  readonly pid: number;
  readonly worker: string;
}

interface SnapshotLike {
  readonly formatVersion: number;
  readonly pid: number;
  readonly tasks: ReadonlyArray<{ readonly id: string; readonly name: string; readonly path: string }>;
}

export function commandsSuite(options: SuiteOptions): void {
  let runtimeDir = '';
  let env: NodeJS.ProcessEnv = {};
  let target: Child;
  let ready: Ready;

  before(async () => {
    runtimeDir = privateRuntimeDir();
    env = { ...process.env, XDG_RUNTIME_DIR: runtimeDir };
    delete env['TASKTREE_MONITOR'];
    delete env['NODE_OPTIONS'];
    target = await startFixture('cli-target', { args: options.fixtureArgs, nodeArgs: await options.nodeArgs(), env });
    ready = JSON.parse(target.ready) as Ready;
  });

  after(async () => {
    await killAll();
    removeDir(runtimeDir);
  });

  async function cli(...args: string[]): Promise<CliResult> {
    const result = await runCli(args, { env });
    await options.afterEachRun?.(target);
    return result;
  }

  function ok(result: CliResult): string {
    assert.equal(result.code, 0, `exit ${result.code}; stderr: ${result.stderr}`);
    assert.equal(result.stderr, '');
    return result.stdout;
  }

  it('ps prints one row per live task, with ids and paths', async () => {
    const out = ok(await cli('ps', String(target.pid)));
    const lines = out.trimEnd().split('\n');
    assert.equal(lines.length, 4, out); // header + main, worker, idle
    assert.match(out, new RegExp(`${ready.worker.replace('.', '\\.')}\\s+worker\\b`));
    assert.match(out, /main › worker/);
    assert.match(out, /db\.query/);
  });

  it('pstree prints the task tree', async () => {
    const out = ok(await cli('pstree', String(target.pid)));
    assert.match(out, /main/);
    assert.match(out, /[├└]── worker/);
    assert.match(out, /[├└]── idle/);
  });

  it('ps --json and pstree --json print the snapshot', async () => {
    for (const command of ['ps', 'pstree']) {
      const snapshot = JSON.parse(ok(await cli(command, String(target.pid), '--json'))) as SnapshotLike;
      assert.equal(snapshot.formatVersion, 1);
      assert.equal(snapshot.pid, target.pid);
      assert.deepEqual(
        snapshot.tasks.map((t) => t.path),
        ['main', 'main › worker', 'main › idle'],
      );
    }
  });

  it('where prints everything known about one task', async () => {
    const out = ok(await cli('where', String(target.pid), ready.worker));
    assert.match(out, new RegExp(`^worker \\[${ready.worker.replace('.', '\\.')}\\]`));
    assert.match(out, /path\s+main › worker/);
    assert.match(out, /waiting on\s+sleep 60000 ms for/);
  });

  it('where --json prints the task, its children and the text', async () => {
    const result = JSON.parse(ok(await cli('where', String(target.pid), ready.worker, '--json'))) as {
      task: { id: string; name: string };
      children: unknown[];
      text: string;
    };
    assert.equal(result.task.id, ready.worker);
    assert.equal(result.task.name, 'worker');
    assert.deepEqual(result.children, []);
    assert.match(result.text, /main › worker/);
  });

  it(`watch --count 2 draws two frames over the ${options.transport} and stops`, async () => {
    const out = ok(await cli('watch', String(target.pid), '--count', '2', '--interval', '50'));
    const headers = out.split('\n').filter((line) => line.startsWith('tasktree watch'));
    assert.equal(headers.length, 2, out);
    assert.match(headers[0] as string, new RegExp(`pid ${target.pid} .* via ${options.transport}`));
    assert.doesNotMatch(out, /\x1b\[/, 'no ANSI codes when stdout is not a terminal');
    assert.equal(out.match(/── worker/g)?.length, 2);
  });

  it('exits 8 for an unknown task id', async () => {
    const result = await cli('where', String(target.pid), 'no-such-task');
    assert.equal(result.code, 8);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr, `tasktree: pid ${target.pid}: no live task with id "no-such-task"\n`);
  });

  it('cancel cancels the named task, and the process carries on', async () => {
    const out = ok(await cli('cancel', String(target.pid), ready.worker, '--reason', 'stuck'));
    assert.equal(out, `cancel requested for ${ready.worker} (main › worker)\n`);
    assert.equal(await target.waitForLine(/^worker cancelled/), 'worker cancelled: cancelled explicitly: stuck');
    assert.ok(target.alive());
    const snapshot = JSON.parse(ok(await cli('ps', String(target.pid), '--json'))) as SnapshotLike;
    assert.deepEqual(
      snapshot.tasks.map((t) => t.name),
      ['main', 'idle'],
    );
    const again = await cli('cancel', String(target.pid), ready.worker);
    assert.equal(again.code, 8);
    assert.match(again.stderr, /already finished/);
  });
}
