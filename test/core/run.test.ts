import '../helpers/no-unhandled.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TaskGroupError, allTasks, run, sleep, spawn, type Task } from '../../src/index.js';
import { latch, rejection, runFixture, tick, ticks } from '../helpers/core.js';

describe('run()', () => {
  it('returns main’s value', async () => {
    assert.equal(await run(async () => 42), 42);
    assert.equal(await run(() => 'sync'), 'sync');
  });

  it('runs main as a root task named main (or options.name)', async () => {
    await run((task) => {
      assert.equal(task.name, 'main');
      assert.equal(task.parent, undefined);
      assert.equal(task.state, 'running');
    });
    await run((task) => assert.equal(task.path, 'service'), { name: 'service' });
  });

  it('rethrows main’s error as is, not wrapped, when main fails alone', async () => {
    const boom = new Error('boom');
    assert.equal(
      await rejection(
        run(async () => {
          throw boom;
        }),
      ),
      boom,
    );
    assert.equal(
      await rejection(
        run(() => {
          throw 'a string';
        }),
      ),
      'a string',
    );
  });

  it('throws a TaskGroupError when main’s children fail', async () => {
    const boom = new Error('boom');
    const err = await rejection(
      run(async () => {
        spawn('child', async () => {
          throw boom;
        });
        await sleep(1e9);
      }),
    );
    assert.ok(err instanceof TaskGroupError);
    assert.equal(err.group, 'main');
    assert.deepEqual(err.errors, [boom]);
    assert.equal(err.failures[0]?.task?.name, 'child');
  });

  {
    it('waits for every child, including ones spawned while main is already waiting', async () => {
      const release = latch();
      const gate = latch();
      let late!: Task;
      let settled = false;
      const p = run(() => {
        spawn('child', async () => {
          await gate.promise;
          late = spawn('late', () => release.promise);
        });
        spawn('daemon', () => sleep(1e9), { daemon: true });
        return 'main done';
      }).then((v) => {
        settled = true;
        return v;
      });
      await ticks(2);
      gate.release();
      await ticks(2);
      assert.equal(late.state, 'running');
      assert.equal(settled, false);
      release.release();
      assert.equal(await p, 'main done');
      assert.equal(late.state, 'fulfilled');
      assert.deepEqual(allTasks(), []);
    });
  }

  it('installs SIGINT/SIGTERM handlers while running and removes them after', async () => {
    const before = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
    let during: number[] = [];
    await run(async () => {
      await new Promise((resolve) => setImmediate(resolve)); // the event loop turns: signals can arrive
      during = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
    });
    assert.deepEqual(during, [before[0]! + 1, before[1]! + 1]);
    assert.deepEqual([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')], before);
    await run(
      async () => {
        await new Promise((resolve) => setImmediate(resolve));
        during = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
      },
      { handleSignals: false },
    );
    assert.deepEqual(during, before);
  });

  it('has them in place before the event loop turns, and never installs them for a run that ends in its first microtasks', async () => {
    await null; // called from a microtask, as most code is: the first drain is this one
    const before = process.listenerCount('SIGINT');
    const seen: number[] = [];
    const long = run(async () => {
      await null;
      seen.push(process.listenerCount('SIGINT')); // still the first drain: not yet
      await new Promise<void>((resolve) => process.nextTick(resolve));
      seen.push(process.listenerCount('SIGINT')); // the drain ended: in place
    });
    await long;
    assert.deepEqual(seen, [before, before + 1]);
    const counts: number[] = [];
    const watch = (event: string | symbol): void => {
      if (event === 'SIGINT') counts.push(process.listenerCount('SIGINT'));
    };
    process.on('newListener', watch);
    try {
      for (let i = 0; i < 3; i++) await run(async () => i);
    } finally {
      process.off('newListener', watch);
    }
    assert.deepEqual(counts, []);
  });

  it('removes its handlers when main fails too', async () => {
    const before = process.listenerCount('SIGINT');
    await rejection(
      run(async () => {
        await tick();
        throw new Error('x');
      }),
    );
    assert.equal(process.listenerCount('SIGINT'), before);
  });
});

describe('run() in a real process', () => {
  /** stderr's lines, with the varying milliseconds as `N`. */
  const stderrLines = (stderr: string): string[] => stderr.trimEnd().split('\n').map((line) => line.replace(/ in \d+ ms(,|$)/, ' in N ms$1'));

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    const cancelling = `tasktree: ${signal} — cancelling main (a second ${signal} exits at once)`;

    it(`${signal} cancels the root gracefully, then exits ${code} with one line, when nothing catches the cancellation`, async () => {
      const res = await runFixture('core-signals', ['uncaught'], (line, child) => {
        if (line === 'ready') child.kill(signal);
      });
      assert.deepEqual(stderrLines(res.stderr), [cancelling, `tasktree: ${signal} — cancelled main, 2 tasks finished their cleanup in N ms`]);
      // Both cleanups ran; the code after run() did not.
      assert.deepEqual(res.stdout.trim().split('\n').sort(), ['main cleanup', 'ready', 'worker cleanup']);
      assert.equal(res.code, code);
    });

    it(`${signal} exits ${code} too when main catches the cancellation and returns normally`, async () => {
      const res = await runFixture('core-signals', ['caught'], (line, child) => {
        if (line === 'ready') child.kill(signal);
      });
      assert.deepEqual(stderrLines(res.stderr), [cancelling, `tasktree: ${signal} — cancelled main, 2 tasks finished their cleanup in N ms`]);
      assert.deepEqual(res.stdout.trim().split('\n').sort(), ['main caught signal', 'ready', 'worker cleanup']);
      assert.equal(res.code, code);
    });

    it(`a second ${signal} during a cleanup that ignores its signal exits at once with ${code}, naming what still runs`, async () => {
      const res = await runFixture('core-signals', ['stubborn'], (line, child) => {
        if (line === 'ready') child.kill(signal);
        if (line === 'cancel requested') child.kill(signal);
      });
      assert.deepEqual(res.stdout.trim().split('\n'), ['ready', 'cancel requested'], res.stderr);
      assert.deepEqual(stderrLines(res.stderr), [cancelling, `tasktree: second ${signal} — exiting at once; still running: main › stubborn`]);
      assert.equal(res.code, code, res.stderr);
    });

    it(`a cleanup that does not end after ${signal} is named on stderr, with where to look, until a second ${signal}`, async () => {
      let pid = 0;
      const res = await runFixture(
        'core-signals',
        ['stubborn'],
        (line, child) => {
          pid = child.pid ?? 0;
          if (line === 'ready') child.kill(signal);
        },
        (line, child) => {
          if (/still waiting/.test(line)) child.kill(signal);
        },
      );
      const lines = stderrLines(res.stderr);
      assert.equal(lines[0], cancelling, res.stderr);
      assert.match(
        lines[1] as string,
        new RegExp(`^tasktree: ${signal} \\d+ s ago — still waiting for main › stubborn to end \\(tasktree where ${pid} \\w+\\.\\w+ shows where it is; a second ${signal} exits at once\\)$`),
      );
      assert.equal(lines[2], `tasktree: second ${signal} — exiting at once; still running: main › stubborn`);
      assert.equal(res.code, code, res.stderr);
    });

    it(`a real error of the cleanup after ${signal} is printed as a tree, and the exit code is still ${code}`, async () => {
      const res = await runFixture('core-signals', ['cleanup-fails'], (line, child) => {
        if (line === 'ready') child.kill(signal);
      });
      const lines = stderrLines(res.stderr);
      assert.deepEqual(lines.slice(0, 3), [
        cancelling,
        `tasktree: ${signal} — cancelled main, 2 tasks finished their cleanup in N ms, with an error:`,
        "TaskGroupError: TaskGroup 'main' failed with 1 error: [flush] Error: flush failed",
      ]);
      assert.match(res.stderr, /└─ \[main › flush\] Error: flush failed\n\s+at .*core-signals\.js:\d+/);
      assert.doesNotMatch(res.stderr, /not reached/);
      assert.equal(res.code, code);
    });

    it(`with exitOnSignal: false, ${signal} makes run() reject with the cancellation and prints nothing`, async () => {
      const res = await runFixture('core-signals', ['opt-out'], (line, child) => {
        if (line === 'ready') child.kill(signal);
      });
      assert.equal(res.stderr, '');
      const lines = res.stdout.trim().split('\n');
      // Both cleanups run (in either order) before run() settles.
      assert.deepEqual([lines[0], ...lines.slice(1, 3).sort(), ...lines.slice(3)], [
        'ready',
        'main cleanup',
        'worker cleanup',
        `outcome CancelledError signal ${signal}`,
        'listeners 0 0',
      ]);
      assert.equal(res.code, 7);
    });

    it(`with exitOnSignal: false, a second ${signal} still exits at once with ${code}`, async () => {
      const res = await runFixture('core-signals', ['opt-out-stubborn'], (line, child) => {
        if (line === 'ready') child.kill(signal);
        if (line === 'cancel requested') child.kill(signal);
      });
      assert.deepEqual(res.stdout.trim().split('\n'), ['ready', 'cancel requested'], res.stderr);
      assert.deepEqual(stderrLines(res.stderr), [`tasktree: second ${signal} — exiting at once; still running: main › stubborn`]);
      assert.equal(res.code, code, res.stderr);
    });

    it(`the default ${signal} behaviour is back after run() returns`, async () => {
      const res = await runFixture('core-signals', ['after'], (line, child) => {
        if (line === 'ready') child.kill(signal);
      });
      assert.deepEqual(res.stdout.trim().split('\n'), ['returned value listeners 0 0', 'ready'], res.stderr);
      assert.equal(res.code, null, `exit code ${String(res.code)}: ${res.stderr}`);
      assert.equal(res.signal, signal, res.stderr);
    });
  }

  it('SIGTERM after SIGINT exits at once with 143', async () => {
    const res = await runFixture('core-signals', ['stubborn'], (line, child) => {
      if (line === 'ready') child.kill('SIGINT');
      if (line === 'cancel requested') child.kill('SIGTERM');
    });
    assert.deepEqual(stderrLines(res.stderr), [
      'tasktree: SIGINT — cancelling main (a second SIGINT exits at once)',
      'tasktree: SIGTERM after SIGINT — exiting at once; still running: main › stubborn',
    ]);
    assert.equal(res.code, 143);
  });

  it('failing, cancelled and timing-out groups cause no unhandled rejection (default --unhandled-rejections)', async () => {
    const res = await runFixture('core-no-unhandled');
    assert.equal(res.stderr, '');
    assert.equal(res.stdout.trim(), 'ok');
    assert.equal(res.code, 0);
  });
});

