import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { markerLocation, runFixture } from './child.js';

describe('leak reports', () => {
  it('names a task left alive when run() ends and at process exit, with its creation site (TASKTREE_DEBUG=1)', async () => {
    const { code, stdout, stderr } = await runFixture('debug-leak', [], { TASKTREE_DEBUG: '1' });
    assert.equal(code, 0, stderr);
    assert.match(stdout, /run ended/);
    const where = markerLocation('debug-leak', 'POLLER-LINE');
    assert.match(stderr, /\[TASKTREE_LEAK\] TaskTreeWarning: run 'main' ended with 1 task it started still alive:/);
    assert.match(stderr, /TaskTreeWarning: 1 task still alive at process exit:/);
    assert.match(stderr, /poller \[\w+\.\w+\] running for \d+ ms, waiting on db\.query for \d+ ms/);
    assert.ok(stderr.includes(`created at startPoller (${where}:`), stderr);
  });
});

describe('unhandled rejections', () => {
  it('names the task and the call that created the promise, then crashes like Node does', async () => {
    const { code, stdout, stderr } = await runFixture('debug-rejection');
    const where = markerLocation('debug-rejection', 'REJECT-LINE');
    assert.equal(code, 1);
    assert.doesNotMatch(stdout, /still running/);
    assert.ok(
      stderr.includes(`unhandled rejection in task main › worker: Error: boom (rejected: the promise of failLater() called at ${where})`),
      stderr,
    );
    assert.match(stderr, /Error: boom\n\s+at failLater/); // Node's own crash output follows
  });

  it("only reports with unhandledRejections: 'report'", async () => {
    const { code, stdout, stderr } = await runFixture('debug-rejection', ['report']);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /still running/);
    assert.match(stderr, /\[TASKTREE_UNHANDLED_REJECTION\] TaskTreeWarning: unhandled rejection in task main › worker: Error: boom/);
  });
});

describe('never-awaited promises', () => {
  it('reports a forgotten await with the line of the call', async () => {
    const { code, stderr } = await runFixture('debug-never-awaited');
    assert.equal(code, 0, stderr);
    const where = markerLocation('debug-never-awaited', 'FORGOTTEN-LINE');
    assert.ok(
      stderr.includes(`[TASKTREE_NEVER_AWAITED] TaskTreeWarning: task main › save finished while the promise of saveUser() called at ${where} was still pending`),
      stderr,
    );
    assert.equal(stderr.match(/TASKTREE_NEVER_AWAITED/g)?.length, 1, stderr);
  });
});

describe('ignored cancellation', () => {
  it('reports a task still running ignoredCancelMs after its cancellation, while it runs', async () => {
    const { code, stdout, stderr } = await runFixture('debug-ignored-cancel');
    assert.equal(code, 0, stderr);
    assert.match(stdout, /done/);
    assert.match(stderr, /\[TASKTREE_IGNORED_CANCEL\] TaskTreeWarning: task main › stubborn has ignored its cancellation for \d+ ms \(cancelled explicitly: shutting down\)/);
  });
});

describe('strict mode', () => {
  it('makes run() reject with DebugStrictError naming the reports', async () => {
    const { code, stdout, stderr } = await runFixture('debug-strict', ['run'], { TASKTREE_DEBUG: 'strict' });
    assert.equal(code, 0, stderr);
    assert.match(stdout, /caught DebugStrictError: tasktree strict debug mode: 1 debug report during run 'main':\n {2}\[blocked\] event loop blocked for \d+ ms by task main › hog/);
    assert.match(stdout, /reports: blocked/);
  });

  it('prints an uncaught DebugStrictError as its message, one line per report, and the line of the run', async () => {
    const { code, stderr } = await runFixture('debug-exit', ['strict'], { TASKTREE_DEBUG: 'strict' });
    assert.equal(code, 1);
    const runLine = markerLocation('debug-exit', 'STRICT-RUN-LINE').split(':')[1];
    const error = stderr.slice(stderr.indexOf('DebugStrictError:'), stderr.lastIndexOf('\nNode.js')).trimEnd().split('\n');
    assert.equal(error.length, 3, stderr);
    assert.equal(error[0], "DebugStrictError: tasktree strict debug mode: 1 debug report during run 'main':");
    assert.match(error[1] ?? '', /^ {2}\[blocked\] event loop blocked for \d+ ms by task main › hog at dist\/test\/fixtures\/debug-exit\.js:\d+$/);
    assert.match(error[2] ?? '', new RegExp(`^ {4}at async \\S*debug-exit\\.js:${Number(runLine) + 1}:\\d+$`));
    // Not the reports again as objects, and no code frame or frame inside tasktree.
    assert.doesNotMatch(stderr, /reports:|kind:|run-hook|dist\/src\//);
    assert.doesNotMatch(stderr, /Waiting for the debugger/);
  });

  it('makes the process exit with code 1 when a report was made outside any run', async () => {
    const { code, stderr } = await runFixture('debug-strict', ['exit'], { TASKTREE_DEBUG: 'strict' });
    assert.equal(code, 1);
    assert.match(stderr, /1 task still alive at process exit:\n {2}orphan/);
    assert.match(stderr, /tasktree strict debug mode: 1 debug report; exit code 1\n {2}\[leak\]/);
  });
});

describe('debug mode off', () => {
  it('installs no hooks, captures no stack, starts no worker, adds no promise hook nor listener', async () => {
    const { code, stdout, stderr } = await runFixture('debug-off');
    assert.equal(code, 0, stderr);
    const { off, on } = JSON.parse(stdout) as Record<string, Record<string, unknown>>;
    assert.deepEqual(
      { ...off, listenersAfter: undefined, listenersBefore: undefined },
      { enabled: false, spawnHook: 'undefined', awaitHook: 'undefined', captures: 0, workers: 0, promiseHooks: 0, listenersAfter: undefined, listenersBefore: undefined },
    );
    assert.deepEqual(off?.['listenersAfter'], off?.['listenersBefore']);
    // The spies do see debug mode when it is on.
    assert.ok((on?.['captures'] as number) > 0);
    assert.equal(on?.['workers'], 1);
    assert.equal(on?.['promiseHooks'], 1);
  });
});

describe('groups left open', () => {
  it('reports a task whose function returned leaving a group it created open, with its live tasks', async () => {
    const { code, stdout, stderr } = await runFixture('core-open-group', ['50'], { TASKTREE_DEBUG: '1' });
    assert.equal(code, 0, stderr);
    assert.match(stdout, /ready\ndone\n/);
    assert.match(
      stderr,
      /\[TASKTREE_OPEN_GROUP\] TaskTreeWarning: task main returned, leaving group 'background' open with 1 live task \(poller\); it waits for them before it settles\. Close the group where it ends/,
    );
    assert.equal(stderr.match(/TASKTREE_OPEN_GROUP/g)?.length, 1);
  });

  it('says nothing of a group closed by its scope, or outside debug mode', async () => {
    const off = await runFixture('core-open-group', ['50']);
    assert.equal(off.code, 0, off.stderr);
    assert.doesNotMatch(off.stderr, /OPEN_GROUP/);
    const closed = await runFixture('debug-leak', [], { TASKTREE_DEBUG: '1' });
    assert.doesNotMatch(closed.stderr, /OPEN_GROUP/);
  });
});
