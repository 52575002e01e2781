import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WatchCommand } from '../../src/cli/commands.js';
import { watchFrame } from '../../src/cli/commands.js';
import type { Snapshot, TaskInfo } from '../../src/inspect/schema.js';
import { snapshotOf, taskInfo } from '../helpers/snapshot.js';

const command: WatchCommand = { kind: 'watch', pid: 42, transport: null, timeoutMs: 5000, expand: true, intervalMs: 500, count: null, filter: {} };

function task(i: number): TaskInfo {
  return taskInfo({
    id: `w.${i}`,
    name: `worker-with-a-long-name-${i}`,
    path: i === 0 ? 'main' : `main › worker-with-a-long-name-${i}`,
    parentId: i === 0 ? null : 'w.0',
    createdAt: 0,
  });
}

const snapshot: Snapshot = { ...snapshotOf(Array.from({ length: 30 }, (_, i) => task(i))), pid: 42, node: 'v24.0.0', capturedAt: Date.now() };

describe('watchFrame', () => {
  it('writes a plain header and the whole tree when stdout is not a terminal', () => {
    const frame = watchFrame(command, snapshot, { isTTY: false, columns: undefined, rows: undefined }, 'socket');
    assert.doesNotMatch(frame, /\x1b/);
    assert.match(frame, /^tasktree watch · pid 42 · Node v24\.0\.0 · 30 live tasks · \d\d:\d\d:\d\d · every 500 ms via socket\n/);
    assert.equal(frame.match(/worker-with-a-long-name-/g)?.length, 30);
    assert.ok(frame.endsWith('\n\n'), 'a blank line between frames');
  });

  it('clears the screen and fits the frame to a terminal', () => {
    const frame = watchFrame(command, snapshot, { isTTY: true, columns: 40, rows: 10 }, 'inspector');
    assert.ok(frame.startsWith('\x1b[H\x1b[2J'));
    const lines = frame.slice('\x1b[H\x1b[2J'.length).trimEnd().split('\n');
    assert.equal(lines.length, 9);
    assert.ok(lines.every((line) => line.length <= 40));
    assert.match(lines.at(-1) ?? '', /^… 23 more lines$/);
  });

  it('shows control characters from the target escaped, so a task name cannot drive the terminal', () => {
    const evil: Snapshot = { ...snapshot, tasks: [{ ...task(0), name: 'evil\x1b]0;pwned\x07' }] };
    const frame = watchFrame(command, evil, { isTTY: true, columns: 200, rows: 10 }, 'socket');
    assert.equal(frame.split('\x1b').length, 3, 'only the clear-screen codes');
    assert.ok(frame.includes('evil\\x1b]0;pwned\\x07'));
  });

  it('says 1 live task, not 1 live tasks', () => {
    const one: Snapshot = { ...snapshot, tasks: [task(0)] };
    assert.match(watchFrame(command, one, { isTTY: false, columns: undefined, rows: undefined }, 'socket'), / · 1 live task · /);
  });

  it('still draws on a terminal that reports a size of zero or none', () => {
    for (const size of [{ columns: 0, rows: 0 }, { columns: undefined, rows: undefined }, { columns: 1, rows: 1 }]) {
      const frame = watchFrame(command, snapshot, { isTTY: true, ...size }, 'socket');
      const lines = frame.slice('\x1b[H\x1b[2J'.length).trimEnd().split('\n');
      assert.ok(lines.length >= 2, `${JSON.stringify(size)}: ${lines.length} lines`);
      assert.ok(lines.every((line) => line.length > 0), `${JSON.stringify(size)}: no empty lines`);
      assert.match(lines[0] as string, /^tasktree watch/);
    }
  });

  it('counts the matching tasks in the header and draws only them and their ancestors with a filter', () => {
    const filtered: WatchCommand = { ...command, filter: { name: '*-7' } };
    const frame = watchFrame(filtered, snapshot, { isTTY: false, columns: undefined, rows: undefined }, 'socket');
    assert.match(frame, / · 1 of 30 live tasks matching · /);
    assert.match(frame, /── worker-with-a-long-name-0 \[w\.0\] \(context\)\n/);
    assert.match(frame, /── worker-with-a-long-name-7 \[w\.7\] running/);
    assert.equal(frame.match(/worker-with-a-long-name-/g)?.length, 2);
  });
});
