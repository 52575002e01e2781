import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Snapshot, StackFrame, TaskInfo } from '../../src/inspect/schema.js';
import { fixture, startChild } from '../helpers/child.js';

// The fixture's tasks are suspended at lines marked `// @tag`; the compiled file keeps the comments.
const source = fileURLToPath(new URL('../../../test/fixtures/stacks-target.ts', import.meta.url));
const compiled = fixture('stacks-target');

interface Where {
  readonly line: number;
  readonly column: number;
}

/** The line of each `// @tag` in a file, and the column of the `await` on it. */
function tags(file: string): Map<string, Where> {
  const out = new Map<string, Where>();
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      const match = /\/\/ @([\w-]+)\s*$/.exec(text);
      if (match !== null) out.set(match[1] as string, { line: i + 1, column: text.indexOf('await') + 1 });
    });
  return out;
}

async function snapshotOf(sourceMaps: boolean): Promise<Snapshot> {
  const child = startChild(compiled, ['print'], { NODE_OPTIONS: sourceMaps ? '--enable-source-maps' : '' });
  await child.waitFor((c) => c.stdout.includes('\n'), 'the snapshot', 60_000);
  await child.exited;
  return JSON.parse(child.stdout) as Snapshot;
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
  main: { stack: ['report@report', '<anonymous>@main', '<anonymous>@main-fn'] },
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

function checkAll(snapshot: Snapshot, file: string, where: Map<string, Where>): void {
  const byName = new Map<string, TaskInfo>(snapshot.tasks.map((t) => [t.name, t]));
  assert.deepEqual([...byName.keys()].sort(), Object.keys(EXPECTED).sort());
  for (const [name, expected] of Object.entries(EXPECTED)) {
    const task = byName.get(name) as TaskInfo;
    assert.ok(task.stack !== null, `${name} has a stack`);
    assert.deepEqual(shape(task.stack, where, file), expected.stack, `the stack of ${name}`);
    assert.equal(task.stackReason, expected.reason ?? null, `the stack reason of ${name}`);
  }
  assert.ok(snapshot.stacks !== null);
  assert.ok(snapshot.stacks.heapNodes > 1000 && snapshot.stacks.longestStopMs >= 0 && snapshot.stacks.totalMs >= snapshot.stacks.longestStopMs);
}

describe('captureSnapshot({ stacks: true })', () => {
  it('shows where every task is suspended, in the TypeScript source when the process has source maps', async () => {
    checkAll(await snapshotOf(true), 'test/fixtures/stacks-target.ts', tags(source));
  });

  it('shows the compiled JavaScript lines when it has none', async () => {
    checkAll(await snapshotOf(false), 'dist/test/fixtures/stacks-target.js', tags(compiled));
  });
});

describe('taking stacks never harms the process', () => {
  it('survives thousands of tasks resuming meanwhile, shows no wrong line, leaves V8 fast paths and memory as they were', async () => {
    const child = startChild(fixture('stacks-churn'), ['2000', '3'], { NODE_OPTIONS: '--allow-natives-syntax --expose-gc' });
    await child.waitFor((c) => c.stdout.includes('\n'), 'the churn report', 240_000);
    const { code } = await child.exited;
    assert.equal(code, 0, child.stderr);
    const report = JSON.parse(child.stdout) as {
      rounds: unknown[];
      frames: number;
      withLine: number;
      wrong: string[];
      protectorsBefore: Record<string, boolean>;
      protectorsAfter: Record<string, boolean>;
      heapBefore: number;
      heapAfter: number;
    };
    assert.equal(report.rounds.length, 3);
    assert.deepEqual(report.wrong, [], 'every line shown is a line the function can be suspended at');
    assert.ok(report.withLine > 0, 'some frames were walked while the tasks churned');
    assert.deepEqual(report.protectorsAfter, report.protectorsBefore, 'no V8 protector was invalidated');
    assert.ok(Object.values(report.protectorsBefore).every(Boolean));
    assert.ok(report.heapAfter - report.heapBefore < 1024 * 1024, `the heap grew by ${report.heapAfter - report.heapBefore} bytes over three probes`);
  });
});
