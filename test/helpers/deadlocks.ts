// The deadlocks fixture (test/fixtures/inspect-deadlocks.ts) as its tests expect it: where its
// tagged awaits are, and the report under the tree for its two-task cycle.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { tags } from './stacks.js';

const FILE = 'test/fixtures/inspect-deadlocks.ts';
const where = tags(fileURLToPath(new URL(`../../../${FILE}`, import.meta.url)));

/** `test/fixtures/inspect-deadlocks.ts:LINE:COL` of the await marked `// @tag`. */
export function deadlockAt(tag: string): string {
  const w = where.get(tag);
  assert.ok(w !== undefined, tag);
  return `${FILE}:${w.line}:${w.column}`;
}

/** The report of the `cycle` mode's deadlock, ids shortened to their counters; with stacks, where each waits. */
export function cycleReport(stacks: boolean): string {
  const lines = ['Deadlock (tasks awaiting each other):', '  lock-a [2] → lock-b [3] → lock-a [2]'];
  if (stacks) lines.push(`    lock-a [2] waits at <anonymous> (${deadlockAt('lock-a')})`, `    lock-b [3] waits at <anonymous> (${deadlockAt('lock-b')})`);
  return [...lines, ''].join('\n');
}

/** The lines after the tree, from `Deadlock` on, with ids shortened to their counters (`[2]`). */
export function deadlockReport(tree: string): string {
  const at = tree.indexOf('\nDeadlock');
  return at < 0 ? '' : tree.slice(at + 1).replace(/\[[0-9A-Za-z]{6}\.([0-9a-z]+)\]/g, '[$1]');
}
