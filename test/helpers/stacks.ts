// What the stacks of test/fixtures/stacks-target.ts must be: every task's frames, each at the
// line of its `// @tag` and the column of the `await` there.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Snapshot, StackFrame, TaskInfo } from '../../src/inspect/schema.js';
import { fixture } from './child.js';

// The fixture's tasks are suspended at lines marked `// @tag`; the compiled file keeps the comments.
export const source = fileURLToPath(new URL('../../../test/fixtures/stacks-target.ts', import.meta.url));
export const compiled = fixture('stacks-target');

interface Where {
  readonly line: number;
  readonly column: number;
}

/** The line of each `// @tag` in a file, and the column of the `await` on it. */
export function tags(file: string): Map<string, Where> {
  const out = new Map<string, Where>();
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      const match = /\/\/ @([\w-]+)\s*$/.exec(text);
      if (match !== null) out.set(match[1] as string, { line: i + 1, column: text.indexOf('await') + 1 });
    });
  return out;
}

/** `fn@tag` per frame, innermost first; branches in brackets. */
function shape(frames: readonly StackFrame[], where: Map<string, Where>, file: string): string[] {
  const byLine = new Map([...where].map(([tag, at]) => [at.line, tag]));
  return frames.map((frame) => {
    assert.equal(frame.file, file, `frame ${frame.fn} is in ${String(frame.file)}`);
    const tag = frame.line === null ? '?' : (byLine.get(frame.line) ?? `line ${frame.line}`);
    const at = where.get(tag);
    // The exact column of the await, except for `for await`, whose await V8 places on the binding.
    if (at !== undefined && tag !== 'for-await') assert.equal(frame.column, at.column, `the column of ${frame.fn} at @${tag}`);
    const branches = frame.awaits === undefined ? '' : ` ${frame.awaits.combinator}[${frame.awaits.branches.map((b) => shape(b, where, file).join(' ← ')).sort().join(' | ')}]`;
    return `${frame.fn}@${tag}${branches}`;
  });
}

const EXPECTED: Record<string, { stack: string[]; reason?: string }> = {
  nested: { stack: ['helperB@helperB', 'helperA@helperA', '<anonymous>@nested'] },
  fetch: { stack: ['<anonymous>@fetch'] },
  'return-helper': { stack: ['helperB@helperB', 'helperA@helperA'] },
  all: { stack: ['<anonymous>@all Promise.all[helperB@helperB | helperB@helperB ← helperA@helperA]'] },
  race: { stack: ['<anonymous>@race Promise.race[ | helperB@helperB ← helperA@helperA]'] },
  'for-await': { stack: ['ticks@ticks', '<anonymous>@for-await'] },
  method: { stack: ['Repository.load@load', '<anonymous>@method'] },
  arrow: { stack: ['helperB@helperB', 'helperA@helperA'] },
  'shared-1': { stack: ['waitShared@shared', '<anonymous>@shared-1'] },
  'shared-2': { stack: ['waitShared@shared', '<anonymous>@shared-2'] },
  'awaits-task': { stack: ['<anonymous>@awaits-task'] },
  'awaits-result': { stack: ['<anonymous>@awaits-result'] },
  'never-settles': { stack: ['waitGate@gate', '<anonymous>@never-settles'], reason: 'never-settles' },
  unreferenced: { stack: [], reason: 'never-settles' },
  sleeps: { stack: [], reason: 'no-async-frame' },
  group: { stack: ['helperB@helperB', 'helperA@helperA', 'body@group-body', '<anonymous>@group'] },
  'in-group': { stack: ['helperB@helperB'] },
  'holds-slot': { stack: ['helperB@helperB'] },
  queued: { stack: [], reason: 'queued' },
};

/**
 * Checks every task's stack in `snapshot` against the fixture's tags in `file`; main waits in
 * `report` at the tag `report` (`print` mode) or `report-serve` (`serve` mode).
 */
export function checkStacks(snapshot: Snapshot, file: string, where: Map<string, Where>, reportTag: string): void {
  const byName = new Map<string, TaskInfo>(snapshot.tasks.map((t) => [t.name, t]));
  const expectations = { ...EXPECTED, main: { stack: [`report@${reportTag}`, '<anonymous>@main', '<anonymous>@main-fn'] } };
  assert.deepEqual([...byName.keys()].sort(), Object.keys(expectations).sort());
  for (const [name, expected] of Object.entries(expectations) as [string, { stack: string[]; reason?: string }][]) {
    const task = byName.get(name) as TaskInfo;
    assert.ok(task.stack !== null, `${name} has a stack`);
    assert.deepEqual(shape(task.stack, where, file), expected.stack, `the stack of ${name}`);
    assert.equal(task.stackReason, expected.reason ?? null, `the stack reason of ${name}`);
  }
  assert.ok(snapshot.stacks !== null);
  assert.ok(snapshot.stacks.heapNodes > 1000 && snapshot.stacks.longestStopMs >= 0 && snapshot.stacks.totalMs >= snapshot.stacks.longestStopMs);
}

