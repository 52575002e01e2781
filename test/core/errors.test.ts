import '../helpers/no-unhandled.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CancelledError, ScopeClosedError, TaskGroup, TaskGroupError, TimeoutError, type Task } from '../../src/index.js';
import { rejection } from '../helpers/core.js';

describe('CancelledError', () => {
  it('is an Error carrying its reason, with a message saying who cancelled and why', async () => {
    const explicit = new CancelledError({ kind: 'explicit', reason: 'bye' });
    assert.ok(explicit instanceof Error);
    assert.equal(explicit.name, 'CancelledError');
    assert.equal(explicit.message, "cancelled explicitly: bye");
    assert.equal(new CancelledError({ kind: 'explicit' }).message, 'cancelled explicitly');
    assert.equal(new CancelledError({ kind: 'timeout', group: 'g', ms: 5 }).message, "'g' timed out after 5 ms");
    assert.equal(new CancelledError({ kind: 'signal', reason: 'SIGINT' }).message, 'outside signal aborted: SIGINT');
    assert.equal(new CancelledError({ kind: 'scope-done', group: 'g' }).message, "daemon task stopped: the rest of 'g' finished");
    assert.equal(
      new CancelledError({ kind: 'body-failed', group: 'g', error: new TypeError('x') }).message,
      "the body of 'g' failed: TypeError: x",
    );
    let failing!: Task;
    await rejection(
      TaskGroup.run('g', (g) => {
        failing = g.spawn('f', async () => {
          throw new Error('boom');
        });
      }),
    );
    const sibling = new CancelledError({ kind: 'sibling-failed', task: failing, error: new Error('boom') });
    assert.equal(sibling.message, `sibling 'f' (${failing.id}) failed: Error: boom`);
    const parent = new CancelledError({ kind: 'parent-cancelled', parent: failing, cause: explicit });
    assert.equal(parent.message, "parent 'f' was cancelled (cancelled explicitly: bye)");
  });

  it('keeps messages short along long chains of parent cancellations', async () => {
    let failing!: Task;
    await rejection(
      TaskGroup.run('g', (g) => {
        failing = g.spawn('p', async () => {
          throw new Error('x');
        });
      }),
    );
    let err = new CancelledError({ kind: 'explicit', reason: 'root' });
    for (let i = 0; i < 10_000; i++) err = new CancelledError({ kind: 'parent-cancelled', parent: failing, cause: err });
    assert.equal(err.message, "parent 'p' was cancelled (cancelled explicitly: root)");
  });
});

describe('TaskGroupError', () => {
  it('extends AggregateError with errors, failures and the group name', () => {
    const a = new Error('a');
    const err = new TaskGroupError('g', [
      { source: 'task', task: undefined, error: a },
      { source: 'body', task: undefined, error: 'str' },
    ]);
    assert.ok(err instanceof AggregateError);
    assert.equal(err.name, 'TaskGroupError');
    assert.equal(err.group, 'g');
    assert.deepEqual(err.errors, [a, 'str']);
    assert.equal(err.failures.length, 2);
    assert.equal(err.message, "TaskGroup 'g' failed with 2 errors: [body] Error: a; [body] str");
  });

  it('summarises more than three errors', () => {
    const failures = Array.from({ length: 5 }, (_, i) => ({ source: 'body' as const, task: undefined, error: new Error(`e${i}`) }));
    assert.match(new TaskGroupError('g', failures).message, /failed with 5 errors: .*Error: e2; … 2 more$/);
  });
});

describe('TimeoutError and ScopeClosedError', () => {
  it('TimeoutError has ms and the cancellation as cause', () => {
    const cause = new CancelledError({ kind: 'timeout', group: 'g', ms: 3 });
    const err = new TimeoutError('g', 3, cause);
    assert.ok(err instanceof Error);
    assert.equal(err.name, 'TimeoutError');
    assert.equal(err.ms, 3);
    assert.equal(err.cause, cause);
    assert.equal(err.message, "'g' timed out after 3 ms");
  });

  it('ScopeClosedError names the API and the group', () => {
    const err = new ScopeClosedError('g', 'TaskGroup.spawn(name, fn, options)');
    assert.equal(err.name, 'ScopeClosedError');
    assert.equal(err.group, 'g');
    assert.equal(err.message, "TaskGroup.spawn(name, fn, options): TaskGroup 'g' is closed (its scope has exited); spawn into an open group");
  });
});
