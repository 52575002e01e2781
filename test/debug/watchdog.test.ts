import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runFixture, type ChildRun } from './child.js';

/**
 * Runs the fixture `times` times, a few at once. Whether Node catches the watchdog's session
 * still connected at exit depends on how the threads' teardown interleaves (without the fix it
 * shows in most runs, not all): one clean run proves little, six make a miss unlikely.
 */
async function runs(args: string[], times = 6): Promise<ChildRun[]> {
  const out: ChildRun[] = [];
  for (let i = 0; i < times; i += 3) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(3, times - i) }, () => runFixture('debug-exit', args, { TASKTREE_DEBUG: '1' })))));
  }
  return out;
}

describe('the watchdog thread at process exit', () => {
  // Node prints `Waiting for the debugger to disconnect...` when the process exits while an
  // inspector session is connected to its main thread — as the watchdog's is.
  for (const scenario of ['exit', 'disabled', 'natural'] as const) {
    it(`leaves nothing on stderr that suggests a debugger (${scenario === 'exit' ? 'process.exit()' : scenario === 'disabled' ? 'disableDebug(), then process.exit()' : 'the event loop empties'})`, async () => {
      for (const res of await runs([scenario], scenario === 'natural' ? 1 : 6)) {
        assert.equal(res.stderr, '');
        assert.equal(res.code, 0);
      }
    });
  }

  it('leaves no trace after an uncaught exception either: Node prints the error and nothing else', async () => {
    for (const res of await runs(['uncaught'])) {
      assert.equal(res.code, 1);
      assert.doesNotMatch(res.stderr, /Waiting for the debugger/);
      assert.match(res.stderr, /Error: boom after the run\n/);
      assert.match(res.stderr.trimEnd(), /\nNode\.js v[\d.]+$/);
    }
  });
});
