import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { nodeBinary } from '../helpers/child.js';

describe('the debug tour (examples/debug-tour.ts)', () => {
  it('gets one report of each kind, each naming the task and the line in the example', () => {
    const script = fileURLToPath(new URL('../../examples/debug-tour.js', import.meta.url));
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const res = spawnSync(nodeBinary, ['--enable-source-maps', script], { cwd: root, encoding: 'utf8', timeout: 30_000 });
    assert.equal(res.status, 0, res.stderr);
    const err = res.stderr;
    assert.match(err, /\[TASKTREE_NEVER_AWAITED\] TaskTreeWarning: task main › save finished while the promise of saveUser\(\) called at examples\/debug-tour\.ts:\d+ was still pending/);
    assert.match(err, /\[TASKTREE_UNHANDLED_REJECTION\] TaskTreeWarning: unhandled rejection in task main › sync: Error: upstream returned 502 \(rejected: the promise of failLater\(\) called at examples\/debug-tour\.ts:\d+\)/);
    assert.match(err, /\[TASKTREE_BLOCKED\] TaskTreeWarning: event loop blocked for \d+ ms by task main › render at examples\/debug-tour\.ts:\d+\n {4}at busyWait \(examples\/debug-tour\.ts:\d+:\d+\)/);
    assert.match(err, /\[TASKTREE_IGNORED_CANCEL\] TaskTreeWarning: task main › stubborn has ignored its cancellation for \d+ ms \(cancelled explicitly: shutting down\)/);
    assert.match(err, /\[TASKTREE_LEAK\] TaskTreeWarning: 1 task still alive at process exit:\n {2}background › poller \[\S+\] running for [\d.]+ m?s, waiting on db\.query for [\d.]+ m?s\n {6}created at startPoller \(examples\/debug-tour\.ts:\d+:\d+\)/);
  });

  it('fails in strict mode (TASKTREE_DEBUG=strict), listing the reports', () => {
    const script = fileURLToPath(new URL('../../examples/debug-tour.js', import.meta.url));
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const res = spawnSync(nodeBinary, ['--enable-source-maps', script], {
      cwd: root,
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, TASKTREE_DEBUG: 'strict' },
    });
    assert.equal(res.status, 1);
    // Four reports, one of each kind; a machine so loaded that the process did not run for over
    // 100 ms makes that a fifth (the event loop did not run: the watchdog cannot tell why).
    const count = /DebugStrictError: tasktree strict debug mode: (\d+) debug reports during run 'main':\n/.exec(res.stderr);
    assert.ok(count !== null, res.stderr);
    const extra = (res.stderr.match(/\n {2}\[blocked\] /g) ?? []).length - 1;
    assert.equal(Number(count[1]), 4 + extra, res.stderr);
    for (const kind of ['never-awaited', 'unhandled-rejection', 'blocked', 'ignored-cancel']) {
      assert.match(res.stderr, new RegExp(`\\n {2}\\[${kind}\\] `));
    }
    assert.match(res.stderr, /tasktree strict debug mode: 1 debug report; exit code 1\n {2}\[leak\] 1 task still alive at process exit/);
  });
});
