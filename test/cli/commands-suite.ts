// The CLI commands against a real tasktree process, shared by the socket and inspector test files.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { Child, CliResult } from './helpers.js';
import { isolatedEnv, killAll, privateRuntimeDir, removeDir, runCli, startFixture } from './helpers.js';

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
  readonly idle: string;
  readonly stubborn: string;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The part of an id after its dot. */
function suffix(id: string): string {
  return id.slice(id.lastIndexOf('.') + 1);
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
    env = isolatedEnv(runtimeDir);
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

  /** The output of a command that succeeded and said nothing on stderr (but, for `where`, what its stacks cost). */
  function ok(result: CliResult): string {
    assert.equal(result.code, 0, `exit ${result.code}; stderr: ${result.stderr}`);
    assert.match(result.stderr, /^(tasktree: stacks of \d+ tasks? taken in .+ at most .+\n)?$/);
    return result.stdout;
  }

  it('ps prints one row per live task, with ids, states, attributes and paths', async () => {
    const out = ok(await cli('ps', String(target.pid)));
    const lines = out.trimEnd().split('\n');
    assert.equal(lines.length, 7, out); // header + main, worker, idle, 2 pollers, stubborn
    assert.match(lines[0] as string, /^ID +NAME +STATE +AGE +WAITING ON +FOR +AWAITED BY +ATTRIBUTES +PATH$/);
    assert.match(out, new RegExp(`${escape(ready.worker)}\\s+worker\\s+running\\b`));
    assert.match(out, /main › worker/);
    assert.match(out, /db\.query .* table=users, shard=3 +main › idle/);
  });

  it('pstree prints the task tree, attributes inline; siblings that differ in attributes stay apart', async () => {
    const out = ok(await cli('pstree', String(target.pid)));
    assert.match(out, /main/);
    assert.match(out, /[├└]── worker/);
    assert.match(out, new RegExp(`[├└]── idle \\[${escape(ready.idle)}\\] \\{table=users, shard=3\\} running`));
    assert.match(out, /[├└]── poller \[\S+\] \{queue=mail\} running/);
    assert.match(out, /[├└]── poller \[\S+\] \{queue=sms\} running/);
    assert.doesNotMatch(out, /\[x2\]/);
  });

  it('ps --json and pstree --json print the snapshot', async () => {
    for (const command of ['ps', 'pstree']) {
      const snapshot = JSON.parse(ok(await cli(command, String(target.pid), '--json'))) as SnapshotLike;
      assert.equal(snapshot.formatVersion, 1);
      assert.equal(snapshot.pid, target.pid);
      assert.deepEqual(
        snapshot.tasks.map((t) => t.path),
        ['main', 'main › worker', 'main › idle', 'main › poller', 'main › poller', 'main › stubborn'],
      );
    }
  });

  it('ps, pstree and watch show only the tasks matching --name, --state and --attr', async () => {
    const ps = ok(await cli('ps', String(target.pid), '--name', 'p*', '--attr', 'queue=sms'));
    assert.equal(ps.trimEnd().split('\n').length, 4, ps); // header, one row, blank, summary
    assert.match(ps, /poller +running .* queue=sms +main › poller\n\n1 of 6 live tasks match name "p\*", queue=sms\n$/);
    const tree = ok(await cli('pstree', String(target.pid), '--attr', 'table=users'));
    assert.match(tree, /^└── main \[\S+\] \(context\)\n    └── idle \[/);
    assert.match(tree, /\n1 of 6 live tasks match table=users; \(context\) marks their ancestors\n$/);
    const watched = ok(await cli('watch', String(target.pid), '--count', '1', '--state', 'queued'));
    assert.match(watched, / · 0 of 6 live tasks matching · /);
    const json = JSON.parse(ok(await cli('ps', String(target.pid), '--json', '--name', 'idle'))) as SnapshotLike;
    assert.deepEqual(
      json.tasks.map((t) => t.name),
      ['idle'],
    );
  });

  it('where prints everything known about one task', async () => {
    const out = ok(await cli('where', String(target.pid), ready.worker));
    assert.match(out, new RegExp(`^worker \\[${escape(ready.worker)}\\]`));
    assert.match(out, /path\s+main › worker/);
    assert.match(out, /waiting on\s+sleep 600000 ms for/);
    assert.match(out, /suspended at\n {4}\S+ \(.*cli-target\.(ts|js):\d+:\d+\)/);
    const quick = await cli('where', String(target.pid), ready.worker, '--no-stacks');
    assert.equal(quick.stderr, '', 'without the stacks, nothing is said about them');
    assert.doesNotMatch(quick.stdout, /suspended at/);
  });

  it('where finds a task by the end of its id or by its name', async () => {
    const bySuffix = ok(await cli('where', String(target.pid), suffix(ready.idle)));
    assert.match(bySuffix, new RegExp(`^idle \\[${escape(ready.idle)}\\]`));
    const byName = ok(await cli('where', String(target.pid), 'stubborn'));
    assert.match(byName, new RegExp(`^stubborn \\[${escape(ready.stubborn)}\\]`));
  });

  it('where lists the matching tasks and exits 8 when a name is ambiguous', async () => {
    const result = await cli('where', String(target.pid), 'poller');
    assert.equal(result.code, 8);
    assert.equal(result.stdout, '');
    const lines = result.stderr.trimEnd().split('\n');
    assert.equal(lines[0], `tasktree: 2 tasks of pid ${target.pid} are named "poller"; give one of their ids:`);
    assert.equal(lines.length, 3, result.stderr);
    for (const line of lines.slice(1)) assert.match(line, /^  \S+\.\S+  main › poller  running$/);
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
    assert.match(headers[0] as string, new RegExp(`pid ${target.pid} .* 6 live tasks .* via ${options.transport}`));
    assert.doesNotMatch(out, /\x1b\[/, 'no ANSI codes when stdout is not a terminal');
    assert.equal(out.match(/── worker/g)?.length, 2);
  });

  it('exits 8 for a task that no id, id suffix or name matches', async () => {
    const result = await cli('where', String(target.pid), 'no-such-task');
    assert.equal(result.code, 8);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr, `tasktree: pid ${target.pid} has no task with id, id suffix or name "no-such-task" (live or recently finished)\n`);
  });

  it('cancel cancels a task that honours its signal, waits for it and says how it ended', async () => {
    const out = ok(await cli('cancel', String(target.pid), 'worker', '--reason', 'stuck'));
    assert.match(out, new RegExp(`^cancel requested for worker \\[${escape(ready.worker)}\\] \\(main › worker\\); it ended \\d+ ms later: cancelled\\n$`));
    assert.equal(await target.waitForLine(/^worker cancelled/), 'worker cancelled: cancelled explicitly: stuck');
    assert.ok(target.alive());
  });

  it('cancel of a task that ignores its signal says it is still running, and exits 10', async () => {
    const result = await cli('cancel', String(target.pid), suffix(ready.stubborn), '--wait', '300');
    assert.equal(result.code, 10, result.stderr);
    assert.equal(result.stderr, '');
    assert.equal(
      result.stdout,
      `cancel requested for stubborn [${ready.stubborn}] (main › stubborn); still running 300 ms later, ` +
        'waiting on nothing tasktree can see (it may be ignoring its signal; see it with tasktree where)\n',
    );
    const json = await cli('cancel', String(target.pid), 'stubborn', '--wait', '100', '--json');
    assert.equal(json.code, 10, json.stderr);
    const outcome = JSON.parse(json.stdout) as { cancelled: string; status: string; task: { cancelled: { by?: unknown } | null } | null; finished: unknown };
    assert.equal(outcome.cancelled, ready.stubborn);
    assert.equal(outcome.status, 'running');
    assert.notEqual(outcome.task?.cancelled, null);
    // Asked first without a reason: the record names the CLI, and says it gave none.
    assert.deepEqual(outcome.task?.cancelled?.by, { source: 'cli', task: null, group: null, reason: null, message: 'tasktree cancel (no reason given)', site: null });
    assert.equal(outcome.finished, null);
    const ps = ok(await cli('ps', String(target.pid), '--state', 'cancelling'));
    assert.match(ps, /stubborn +cancelling/);
    assert.match(ps, /1 of 5 live tasks match state cancelling\n$/);
  });

  it('cancel --wait 0 requests the cancellation without waiting for the end', async () => {
    const quick = ok(await cli('cancel', String(target.pid), 'idle', '--wait', '0'));
    assert.equal(quick, `cancel requested for idle [${ready.idle}] (main › idle); not waiting for it to end (--wait 0)\n`);
  });

  it('cancel of a finished task exits 8, and where still finds it in the history', async () => {
    const again = await cli('cancel', String(target.pid), ready.worker);
    assert.equal(again.code, 8);
    assert.equal(again.stderr, `tasktree: pid ${target.pid}: task ${ready.worker} (main › worker) already finished (cancelled)\n`);
    const byName = await cli('cancel', String(target.pid), 'worker');
    assert.equal(byName.code, 8);
    assert.match(byName.stderr, /already finished \(cancelled\)/);
    const detail = ok(await cli('where', String(target.pid), 'worker'));
    assert.match(detail, new RegExp(`^worker \\[${escape(ready.worker)}\\] — finished\\n`));
    assert.match(detail, /outcome +cancelled after/);
    assert.match(detail, /\n {2}cancelled {4}explicit: cancelled explicitly: stuck\n {2}by {11}tasktree cancel: "stuck" \(cli\)\n$/);
  });
}
