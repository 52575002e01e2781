import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { markerLocation, runFixture } from './child.js';

describe('blocked event loop', () => {
  it('names the task that blocked the loop for 300 ms, and the line of the blocking code', async () => {
    const { code, stdout, stderr } = await runFixture('debug-blocked', ['300']);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /done/);
    const where = markerLocation('debug-blocked', 'BLOCK-LINE');
    const report = /event loop blocked for (\d+) ms by task main › render at (\S+)/.exec(stderr);
    assert.ok(report, `no blocked report in:\n${stderr}`);
    const ms = Number(report[1]);
    assert.ok(ms >= 250 && ms < 3000, `blocked for ${ms} ms`);
    assert.equal(report[2], where);
    assert.match(stderr, /\[TASKTREE_BLOCKED\] TaskTreeWarning/);
    assert.match(stderr, /at busyWait \(dist\/test\/fixtures\/debug-blocked\.js:\d+:\d+\)/);
  });

  it('names main when it blocks the loop as its very first act: run() starts it once the watchdog watches', async () => {
    const { code, stdout, stderr } = await runFixture('debug-blocked', ['300', 'at-start']);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^watching when main started: true$/m);
    const where = markerLocation('debug-blocked', 'BLOCK-LINE');
    assert.match(stderr, new RegExp(`event loop blocked for \\d+ ms by task main at ${where}`));
  });

  it('reports a long block while it lasts, then once it ends', async () => {
    const { code, stderr } = await runFixture('debug-blocked', ['1500']);
    assert.equal(code, 0, stderr);
    const where = markerLocation('debug-blocked', 'BLOCK-LINE');
    assert.match(stderr, new RegExp(`blocked for 1\\.\\d s so far \\(still blocked\\) by task main › render at ${where}`));
    assert.match(stderr, new RegExp(`blocked for \\d\\.\\d s by task main › render at ${where}`));
  });
});
