import '../helpers/no-unhandled.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { CancelledError, ScopeClosedError, TaskGroup, TaskGroupError, TimeoutError, run, sleep, spawn, withTimeout, type Task } from '../../src/index.js';
import { fixture, runFixture } from '../helpers/core.js';

/** What `promise` rejects with (awaited here, so its frames are this file's). */
async function caught(promise: PromiseLike<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** The lines of `text`, each frame in this file as `at <here>` (and `at fn <here>`). */
function normalized(text: string): string[] {
  return text.split('\n').map((line) =>
    line
      .replace(/at (async )?(\S+) \((file:\/\/)?\S*error-text\.test\.js:\d+:\d+\)$/, 'at $1$2 <here>')
      .replace(/at (async )?(file:\/\/)?\S*error-text\.test\.js:\d+:\d+$/, 'at $1<here>'),
  );
}

/** The lines that are not frames: the message and the tree. */
function treeLines(text: string): string[] {
  return text.split('\n').filter((line) => !/^[\s│]*at /.test(line));
}

/** Every frame is this file's (or a frame with no file, like `async Promise.all (index 0)`). */
function assertOnlyOwnFrames(text: string): void {
  const frames = text.split('\n').filter((line) => /^[\s│]*at /.test(line));
  assert.ok(frames.length > 0, text);
  for (const frame of frames) assert.match(frame, /error-text\.test\.js:\d+:\d+\)?$|\(index \d+\)$/, text);
}

async function parse(text: string): Promise<never> {
  await null;
  throw new SyntaxError(`Unexpected token in ${text}`);
}

describe('util.inspect of a TaskGroupError', () => {
  it('prints the message, where the group was awaited, and each failure as [task path] with its own frames', async () => {
    const err = await caught(
      TaskGroup.run('jobs', (group) => {
        group.spawn('parse', () => parse('a.json'));
      }),
    );
    assert.deepEqual(treeLines(inspect(err)), [
      "TaskGroupError: TaskGroup 'jobs' failed with 1 error: [parse] SyntaxError: Unexpected token in a.json",
      '  └─ [jobs › parse] SyntaxError: Unexpected token in a.json',
    ]);
    const lines = normalized(inspect(err));
    // Where the group was awaited (this test), then the failure with the line that threw.
    assert.equal(lines[1], '    at async caught <here>');
    assert.equal(lines.at(-1), '         at parse <here>');
    assertOnlyOwnFrames(inspect(err));
    // Its stack is the same tree: loggers and test runners that print `stack` show it too.
    assert.equal(err instanceof Error && err.stack, inspect(err));
  });

  it('indents nested group errors under the task that raised them, with their own frames', async () => {
    const err = await caught(
      run(async () => {
        spawn('worker', async () => {
          await TaskGroup.run('batch', (group) => {
            group.spawn('parse', () => parse('a.json'));
            group.spawn('load', async () => {
              throw new Error('disk full');
            });
          });
        });
        spawn('fetch-posts', async () => {
          await sleep(1_000);
        });
      }),
    );
    assert.deepEqual(treeLines(inspect(err)), [
      "TaskGroupError: TaskGroup 'main' failed with 1 error: [worker] TaskGroupError: TaskGroup 'batch' failed with 2 errors: [load] Error: disk full; [parse] SyntaxError: Unexpected token in a.json",
      "  └─ [main › worker] TaskGroupError: TaskGroup 'batch' failed with 2 errors",
      '       ├─ [main › worker › batch › load] Error: disk full',
      '       └─ [main › worker › batch › parse] SyntaxError: Unexpected token in a.json',
    ]);
    // Every frame is this file's: none of tasktree's, none of Node's.
    assertOnlyOwnFrames(inspect(err));
    // The inner group's own frame: where the worker awaited it.
    assert.match(inspect(err), /failed with 2 errors\n {9}at async .*error-text\.test\.js:\d+:\d+\n/);
    // The failure's frames hang under its own line, inside the tree.
    assert.match(inspect(err), /├─ \[main › worker › batch › load\] Error: disk full\n {7}│ {6}at .*error-text\.test\.js:\d+:\d+/);
  });

  it('shows a non-Error throw as it was thrown, with its type', async () => {
    const err = await caught(
      TaskGroup.run('odd', (group) => {
        group.spawn('string', async () => {
          throw 'plain string';
        });
        group.spawn('number', async () => {
          throw 42;
        });
        group.spawn('object', async () => {
          throw { code: 'E42', detail: [1, 2] };
        });
        group.spawn('null', async () => {
          throw null;
        });
      }),
    );
    assert.deepEqual(treeLines(inspect(err)).slice(1).sort(), [
      '  └─ [odd › null] null (thrown null)',
      '  ├─ [odd › number] 42 (thrown number)',
      "  ├─ [odd › object] { code: 'E42', detail: [ 1, 2 ] } (thrown object)",
      "  ├─ [odd › string] 'plain string' (thrown string)",
    ]);
    assert.match((err as Error).message, /\[object\] \{ code: 'E42', detail: \[ 1, 2 \] \} \(thrown object\)/);
  });

  it('labels the failure of a body, and keeps every line of a multi-line message', async () => {
    const err = await caught(
      TaskGroup.run('report', async (group) => {
        group.spawn('child', async () => {
          throw new Error('child failed');
        });
        await null;
        throw new Error('first line\nsecond line');
      }),
    );
    assert.deepEqual(treeLines(inspect(err)).slice(1), [
      '  ├─ [report › child] Error: child failed',
      "  └─ [body of 'report'] Error: first line",
      '       second line',
    ]);
    assertOnlyOwnFrames(inspect(err));
  });

  it('counts what it does not show: past 10 failures of a group, past 10 nested groups', () => {
    const failures = Array.from({ length: 12 }, (_, i) => ({ source: 'body' as const, task: undefined, error: `e${i}` }));
    const lines = normalized(inspect(new TaskGroupError('many', failures)));
    assert.equal(lines.filter((line) => line.includes('(thrown string)')).length, 9);
    assert.equal(lines.at(-1), '  └─ … 3 more errors');

    let deep = new TaskGroupError('g0', [{ source: 'body', task: undefined, error: new Error('deepest') }]);
    for (let i = 1; i <= 12; i++) deep = new TaskGroupError(`g${i}`, [{ source: 'body', task: undefined, error: deep }]);
    const text = inspect(deep);
    assert.equal(text.split('\n').filter((line) => line.includes("TaskGroupError: TaskGroup 'g")).length, 11);
    assert.match(text, /└─ … \(groups nested deeper than 10 are not shown\)$/);
    assert.doesNotMatch(text, /deepest/);
  });

  it('keeps its fields off the object: no own enumerable property, errors/failures/group readable', async () => {
    let failing!: Task;
    const err = (await caught(
      TaskGroup.run('g', (group) => {
        failing = group.spawn('f', async () => {
          throw new Error('boom');
        });
      }),
    )) as TaskGroupError;
    assert.deepEqual(Object.keys(err), []);
    assert.equal(err.group, 'g');
    assert.equal(err.failures[0]?.task, failing);
    assert.deepEqual(
      err.errors.map((e) => (e as Error).message),
      ['boom'],
    );
    // What Node prints of an uncaught error (custom inspection off): no task, no internal field.
    const raw = inspect(err, { customInspect: false, depth: 10 });
    assert.doesNotMatch(raw, /\b_\w+:/);
    assert.doesNotMatch(raw, /Task \{|TaskGroup \{/);
    assert.match(raw, /└─ \[g › f\] Error: boom/);
  });

  it('prints tasks as <Task …> wherever they appear', async () => {
    const err = (await caught(
      TaskGroup.run('g', (group) => {
        group.spawn('f', async () => {
          throw new Error('boom');
        });
      }),
    )) as TaskGroupError;
    assert.match(inspect(err.failures), /task: <Task 'f' \(\S+\) rejected after [\d.]+ s>/);
    assert.match(inspect({ wrapper: { failures: err.failures } }, { depth: 5 }), /task: <Task 'f' /);
  });

  it('has a writable stack, and errors that can be replaced', () => {
    const err = new TaskGroupError('g', [{ source: 'body', task: undefined, error: new Error('a') }]);
    err.stack = 'TaskGroupError: replaced';
    assert.equal(err.stack, 'TaskGroupError: replaced');
    err.errors = ['x'];
    assert.deepEqual(err.errors, ['x']);
    assert.equal(err.failures.length, 1);
  });
});

describe('util.inspect of the other errors', () => {
  it('a CancelledError prints its message and the user frames of where it was cancelled', async () => {
    let task!: Task;
    const err = await caught(
      run(async () => {
        task = spawn('sleeper', (t) => sleep(10_000, { signal: t.signal }));
        await null;
        task.cancel('enough');
        return await task;
      }),
    );
    assert.ok(err instanceof CancelledError);
    const lines = normalized(inspect(err));
    assert.equal(lines[0], 'CancelledError: cancelled explicitly: enough');
    assert.ok(lines.length >= 2 && lines.slice(1).every((line) => /^ {4}at (\S+ )?<here>$/.test(line)), lines.join('\n'));
    assert.deepEqual(Object.keys(err), []);
    assert.equal(err.reason.kind, 'explicit');
  });

  it('a cancellation by a failed sibling prints the sibling as <Task …> inside its reason', async () => {
    let reason: unknown;
    await caught(
      TaskGroup.run('g', (group) => {
        group.spawn('waiter', async (t) => {
          try {
            await sleep(10_000, { signal: t.signal });
          } catch (error) {
            reason = (error as CancelledError).reason;
            throw error;
          }
        });
        group.spawn('f', async () => {
          await null;
          throw new Error('boom');
        });
      }),
    );
    assert.match(inspect(reason), /^\{\n {2}kind: 'sibling-failed',\n {2}task: <Task 'f' \(\S+\) rejected after [\d.]+ s>,\n {2}error: Error: boom\n/);
  });

  it('a cancellation prints its message, then only the user frames', () => {
    const lines = normalized(inspect(new CancelledError({ kind: 'scope-done', group: 'g' })));
    assert.equal(lines[0], "CancelledError: daemon task stopped: the rest of 'g' finished");
    assert.ok(lines.slice(1).every((line) => /^ {4}at (\S+ )?<here>$/.test(line)), lines.join('\n'));
    assert.equal(inspect(new CancelledError({ kind: 'signal', reason: 'SIGINT' })).split('\n')[0], 'CancelledError: outside signal aborted: SIGINT');
  });

  it('a TimeoutError prints its message and the frames of the timed-out await', async () => {
    const err = await caught(withTimeout(1, (signal) => sleep(10_000, { signal })));
    assert.ok(err instanceof TimeoutError);
    assert.deepEqual(normalized(inspect(err)), ["TimeoutError: 'withTimeout(1)' timed out after 1 ms", '    at async caught <here>', '    at async TestContext.<anonymous> <here>']);
    assert.deepEqual(Object.keys(err), []);
    assert.equal(err.ms, 1);
  });

  it('a ScopeClosedError prints its message and where spawn was called', async () => {
    const group = new TaskGroup('closed');
    await group[Symbol.asyncDispose]();
    let err: unknown;
    try {
      group.spawn('late', () => 1);
    } catch (error) {
      err = error;
    }
    assert.ok(err instanceof ScopeClosedError);
    const lines = normalized(inspect(err));
    assert.equal(lines[0], "ScopeClosedError: TaskGroup.spawn(name, fn, options): TaskGroup 'closed' is closed (its scope has exited); spawn into an open group");
    assert.match(lines[1] ?? '', /^ {4}at (\S+ )?<here>$/);
    assert.deepEqual(Object.keys(err), []);
  });
});

describe('an uncaught TaskGroupError in a real process', () => {
  it('prints the README failure case in a few lines: the task, the error, the user’s file and line, nothing internal', async () => {
    const res = await runFixture('core-uncaught');
    assert.equal(res.code, 1);
    const lines = res.stderr.trimEnd().split('\n');
    assert.ok(lines.length <= 30, `${lines.length} lines:\n${res.stderr}`);
    const source = readFileSync(fixture('core-uncaught'), 'utf8').split('\n');
    const throwLine = source.findIndex((line) => line.includes("throw new Error('posts down')")) + 1;
    const runLine = source.findIndex((line) => line.includes('await run(')) + 1;
    assert.match(res.stderr, /TaskGroupError: TaskGroup 'main' failed with 1 error: \[fetch-posts\] Error: posts down\n/);
    assert.match(res.stderr, new RegExp(`\\n {4}at async \\S*core-uncaught\\.js:${runLine}:\\d+\\n`));
    assert.match(res.stderr, new RegExp(`└─ \\[main › fetch-posts\\] Error: posts down\\n {9}at \\S*core-uncaught\\.js:${throwLine}:\\d+`));
    // No internal field, no raw Task or TaskGroup, no frame of tasktree's own.
    assert.doesNotMatch(res.stderr, /^\s*_\w+:/m);
    assert.doesNotMatch(res.stderr, /Task \{|TaskGroup \{|\[Task|\[TaskGroup/);
    // Node 20 also prints the `errors` array (the user's own Error, frames and all); later lines
    // print only the stack, which leaves tasktree's frames out.
    if (Number(process.versions.node.split('.')[0]) >= 22) assert.doesNotMatch(res.stderr, /dist\/src\/core/);
  });
});
