import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { run } from '../../src/index.js';
import { installDumpSignal } from '../../src/inspect/dump-signal.js';
import { fixture, startChild, type Child } from '../helpers/child.js';

const children: Child[] = [];
after(() => {
  for (const c of children) c.process.kill('SIGKILL');
});
function start(args: string[], name = 'inspect-dump'): Child {
  const child = startChild(fixture(name), args);
  children.push(child);
  return child;
}

describe('the dump signal', () => {
  it('writes the task tree to stderr on SIGUSR2 inside run(), and the process carries on', async () => {
    const child = start(['3']);
    await child.waitFor((c) => c.stdout.includes('ready'), 'ready');
    child.process.kill('SIGUSR2');
    await child.waitFor((c) => c.stderr.includes('napper'), 'the dump');
    assert.match(child.stderr, /^tasktree: 5 live tasks in pid \d+ at \d{4}-\d\d-\d\dT/m);
    assert.match(child.stderr, /└── main \[\S+\] running .* — waiting on sleep 60000 ms for /);
    assert.match(child.stderr, /├── \[x3\] worker-0 … worker-2 \[\S+ …\] running .* — waiting on stop signal/);
    assert.match(child.stderr, /└── napper \[\S+\] running/);
    // Still alive and still answering: a second dump, then a graceful stop.
    const before = child.stderr.length;
    child.process.kill('SIGUSR2');
    await child.waitFor((c) => c.stderr.slice(before).includes('napper'), 'a second dump');
    child.process.kill('SIGTERM');
    const exit = await child.exited;
    assert.match(child.stdout, /stopped: outside signal aborted: SIGTERM/);
    assert.equal(exit.code, 0);
  });

  it('dumps 100,000 live tasks, collapsed to one line', async () => {
    const child = start(['100000']);
    await child.waitFor((c) => c.stdout.includes('ready'), 'ready', 60_000);
    child.process.kill('SIGUSR2');
    await child.waitFor((c) => c.stderr.includes('napper'), 'the dump', 60_000);
    assert.match(child.stderr, /tasktree: 100002 live tasks/);
    assert.match(child.stderr, /\[x100000\] worker-0 … worker-99999 /);
    child.process.kill('SIGTERM');
    assert.equal((await child.exited).code, 0);
  });

  it('names the group a run() waits for when its function left it open, and that group’s tasks under it', async () => {
    const child = start([], 'core-open-group');
    await child.waitFor((c) => c.stdout.includes('ready'), 'ready');
    child.process.kill('SIGUSR2');
    await child.waitFor((c) => c.stderr.includes('poller'), 'the dump');
    assert.match(child.stderr, /└── main \[\S+\] running .* — waiting on group 'background' for /);
    assert.match(child.stderr, /\n {4}└── background \(group\)\n {8}└── poller \[\S+\] running .* — waiting on sleep 60000 ms/);
    child.process.kill('SIGTERM');
    assert.equal((await child.exited).code, 143);
  });

  it('uses the signal run() is given', async () => {
    const child = start(['1', 'SIGWINCH']);
    await child.waitFor((c) => c.stdout.includes('ready'), 'ready');
    child.process.kill('SIGWINCH');
    await child.waitFor((c) => c.stderr.includes('napper'), 'the dump');
    child.process.kill('SIGTERM');
    assert.equal((await child.exited).code, 0);
  });

  it('is not installed with dumpSignal: false (SIGUSR2 then keeps its default: it ends the process)', async () => {
    const child = start(['1', 'false']);
    await child.waitFor((c) => c.stdout.includes('ready'), 'ready');
    child.process.kill('SIGUSR2');
    const exit = await child.exited;
    assert.equal(exit.signal, 'SIGUSR2');
    assert.equal(child.stderr, '');
  });

  it('is checked when run() starts, though installed only once the run outlasts its first microtasks', async () => {
    let ran = false;
    const main = (): void => {
      ran = true;
    };
    await assert.rejects(run(main, { dumpSignal: 'USR2' as NodeJS.Signals }), {
      name: 'TypeError',
      message: "run(main, options): dumpSignal: expected a signal name like 'SIGUSR2', got USR2 (string)",
    });
    await assert.rejects(run(main, { dumpSignal: 'SIGUSR1' }), { name: 'RangeError', message: /run\(main, options\): dumpSignal: SIGUSR1 starts Node's inspector/ });
    assert.equal(ran, false);
    const before = process.listenerCount('SIGWINCH');
    let during = -1;
    await run(
      async () => {
        await new Promise((resolve) => setImmediate(resolve));
        during = process.listenerCount('SIGWINCH');
      },
      { dumpSignal: 'SIGWINCH', handleSignals: false },
    );
    assert.equal(during, before + 1);
    assert.equal(process.listenerCount('SIGWINCH'), before);
  });

  it('refuses SIGUSR1 (the inspector) and non-signals, and uninstalls', () => {
    assert.throws(() => installDumpSignal('SIGUSR1'), { name: 'RangeError', message: /SIGUSR1 starts Node's inspector/ });
    assert.throws(() => installDumpSignal('USR2' as NodeJS.Signals), { name: 'TypeError', message: /installDumpSignal\(signal\)/ });
    const before = process.listenerCount('SIGUSR2');
    const uninstall = installDumpSignal();
    const again = installDumpSignal();
    assert.equal(process.listenerCount('SIGUSR2'), before + 1);
    uninstall();
    uninstall();
    assert.equal(process.listenerCount('SIGUSR2'), before + 1);
    again();
    assert.equal(process.listenerCount('SIGUSR2'), before);
  });
});
