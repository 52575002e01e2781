import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { indexTasks } from '../../src/inspect/describe.js';
import { findCycles } from '../../src/inspect/deadlocks.js';
import type { TaskInfo, WaitInfo } from '../../src/inspect/schema.js';
import { fixture, startChild } from '../helpers/child.js';
import { snapshotOf, taskInfo } from '../helpers/snapshot.js';
import { cycleReport, deadlockAt, deadlockReport } from '../helpers/deadlocks.js';

const awaits = (ids: string[], exclusive?: boolean): WaitInfo =>
  exclusive === undefined ? { kind: 'task', taskIds: ids, forMs: 10 } : { kind: 'task', taskIds: ids, forMs: 10, exclusive };
const joins = (group: string, ids: string[]): WaitInfo => ({ kind: 'group', group, forMs: 10, taskIds: ids });

function cyclesOf(tasks: TaskInfo[]): string[][] {
  return findCycles(tasks, indexTasks(snapshotOf(tasks)));
}

describe('findCycles', () => {
  it('finds tasks awaiting each other, and a task awaiting itself', () => {
    const tasks = [
      taskInfo({ id: 'a', name: 'a', waitingOn: awaits(['b']) }),
      taskInfo({ id: 'b', name: 'b', waitingOn: awaits(['a'], true) }),
      taskInfo({ id: 's', name: 's', waitingOn: awaits(['s']) }),
    ];
    assert.deepEqual(cyclesOf(tasks), [['a', 'b'], ['s']]);
  });

  it('finds a child awaiting its parent while the parent joins its scope', () => {
    const tasks = [
      taskInfo({ id: 'p', name: 'parent', waitingOn: joins('parent', ['c', 'd']) }),
      taskInfo({ id: 'c', name: 'child', parentId: 'p', group: 'parent', waitingOn: awaits(['p']) }),
      taskInfo({ id: 'd', name: 'busy', parentId: 'p', group: 'parent' }),
    ];
    assert.deepEqual(cyclesOf(tasks), [['c', 'p']], 'one stuck child is enough to block the join');
  });

  it('does not count a join whose only stuck tasks are daemons: they are cancelled once the rest is done', () => {
    const tasks = [
      taskInfo({ id: 'p', name: 'parent', waitingOn: joins('parent', ['c', 'd']) }),
      taskInfo({ id: 'c', name: 'daemon', parentId: 'p', daemon: true, waitingOn: awaits(['p']) }),
      taskInfo({ id: 'd', name: 'busy', parentId: 'p' }),
    ];
    assert.deepEqual(cyclesOf(tasks), []);
  });

  it('does not count a wait that is not the task’s only way forward', () => {
    const tasks = [
      taskInfo({ id: 'a', name: 'a', waitingOn: awaits(['b'], false) }),
      taskInfo({ id: 'b', name: 'b', waitingOn: awaits(['a']) }),
    ];
    assert.deepEqual(cyclesOf(tasks), []);
  });

  it('does not count a wait on several tasks while one of them can still settle', () => {
    const free = [
      taskInfo({ id: 'a', name: 'a', waitingOn: awaits(['b', 'f']) }),
      taskInfo({ id: 'b', name: 'b', waitingOn: awaits(['a']) }),
      taskInfo({ id: 'f', name: 'free', waitingOn: { kind: 'sleep', ms: 100, forMs: 10 } }),
    ];
    assert.deepEqual(cyclesOf(free), []);
    const stuck = [...free.slice(0, 2), taskInfo({ id: 'f', name: 'stuck', waitingOn: awaits(['b']) })];
    assert.deepEqual(cyclesOf(stuck), [['a', 'b']], 'once every one of them is stuck, it is');
  });

  it('drops, with stacks, a wait whose frame awaits a combinator with a branch that is not a task', () => {
    const raced = { fn: 'impatient', file: 'src/a.ts', line: 3, column: 5, awaits: { combinator: 'Promise.race' as const, branches: [[], []] } };
    const tasks = [
      taskInfo({ id: 'a', name: 'a', waitingOn: awaits(['b']), stack: [raced], stackReason: null }),
      taskInfo({ id: 'b', name: 'b', waitingOn: awaits(['a']), stack: [{ fn: 'patient', file: 'src/a.ts', line: 9, column: 5 }], stackReason: null }),
    ];
    assert.deepEqual(cyclesOf(tasks), []);
  });
});

/** The fixture's tree, run in a child process with source maps (its awaits are marked `// @tag`). */
async function treeOf(mode: string, stacks: boolean): Promise<string> {
  const child = startChild(fixture('inspect-deadlocks'), stacks ? [mode, 'stacks'] : [mode], { NODE_OPTIONS: '--enable-source-maps' });
  const { code } = await child.exited;
  assert.equal(code, 0, child.stderr);
  return child.stdout.replace(/\[[0-9A-Za-z]{6}\.([0-9a-z]+)\]/g, '[$1]');
}


describe('the deadlock report of pstree (child processes)', () => {
  it('reports a child awaiting its parent while the parent joins its scope', async () => {
    assert.equal(
      deadlockReport(await treeOf('join', false)),
      [
        'Deadlock (tasks awaiting each other):',
        '  parent [2] → child [3] → parent [2]',
        "    parent [2] waits for the tasks of group 'parent' to finish (leaving its scope)",
        '    child [3] waits on task parent [2]',
        '',
      ].join('\n'),
    );
  });

  it('shows, with stacks, the line where each task of the cycle waits', async () => {
    assert.equal(
      deadlockReport(await treeOf('group-body', true)),
      [
        'Deadlock (tasks awaiting each other):',
        '  owner [2] → worker [3] → owner [2]',
        `    owner [2] waits at <anonymous> (${deadlockAt('owner-joins')})`,
        `    worker [3] waits at <anonymous> (${deadlockAt('worker-awaits-owner')})`,
        '',
      ].join('\n'),
    );
    assert.equal(deadlockReport(await treeOf('cycle', true)), cycleReport(true));
  });

  it('reports a cycle of plain awaits without stacks too, as the cycle alone', async () => {
    assert.equal(deadlockReport(await treeOf('cycle', false)), cycleReport(false));
  });

  it('does not report a race between a task and a sleep that will settle it', async () => {
    const tree = await treeOf('race-sleep', false);
    assert.match(tree, /impatient \[2\] running .* waiting on task patient \[3\]/);
    assert.equal(deadlockReport(tree), '');
  });

  it('does not report, with stacks, a race between a task and a plain timer', async () => {
    const tree = await treeOf('race-timer', true);
    assert.match(tree, /Promise\.race #1/);
    assert.equal(deadlockReport(tree), '');
  });
});
