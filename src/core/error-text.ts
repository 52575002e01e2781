import { inspect } from 'node:util';
import { splitStack, userFrames } from './frames.js';

// How tasktree's errors print: the `stack` of a TaskGroupError is its failure tree, in the manner
// of Python's ExceptionGroup traceback — each failure under the task that raised it, with its own
// frames (tasktree's and Node's internals removed), nested groups indented:
//
//   TaskGroupError: TaskGroup 'main' failed with 2 errors: [worker] TaskGroupError: …; [fetch-posts] Error: posts down
//       at async file:///app/main.js:3:1
//     ├─ [main › worker] TaskGroupError: TaskGroup 'worker' failed with 1 error
//     │    └─ [main › worker › parse] SyntaxError: Unexpected token
//     │           at parse (file:///app/main.js:20:9)
//     └─ [main › fetch-posts] Error: posts down
//            at file:///app/main.js:9:11

/** Failures shown per group; the rest are counted. */
const SHOWN_PER_GROUP = 10;
/** Nested groups shown below the top one; deeper ones are counted. */
const SHOWN_DEPTH = 10;
/** Lines of a multi-line message shown per failure. */
const MESSAGE_LINES = 12;

/** What the tree needs of one failure (a `TaskFailure`). */
export interface FailureLike {
  readonly error: unknown;
  readonly task: { readonly path: string } | undefined;
}

/** What the tree needs of a group error. */
export interface GroupLike {
  readonly name: string;
  /** The group's name. */
  readonly group: string;
  /** The message without its list of errors: `TaskGroup 'main' failed with 2 errors`. */
  readonly headline: string;
  readonly failures: readonly FailureLike[];
  /** The group error's own user frames (`at …`). */
  ownFrames(): readonly string[];
  /** The first of all its own frames, tasktree's included. */
  raisedAt(): string | undefined;
}

/**
 * @internal The stack of a group error: `head` (its `Name: message`), its own user frames, then
 * every failure as a tree. `asGroup` tells which thrown values are group errors (printed nested).
 */
export function formatFailureTree(top: GroupLike, head: string, asGroup: (error: unknown) => GroupLike | undefined): string {
  const lines = [head];
  const frames = top.ownFrames();
  for (const frame of frames) lines.push(`    ${frame}`);
  // Raised with no frame of the user's (in a microtask, outside any await of theirs): keep the
  // frame it was raised in, so the stack still reads as one (Node shows a stack without frames
  // in brackets).
  if (frames.length === 0) lines.push(`    ${top.raisedAt() ?? 'at <tasktree>'}`);
  addFailures(lines, top, '  ', 1, asGroup);
  return lines.join('\n');
}

function addFailures(lines: string[], group: GroupLike, indent: string, depth: number, asGroup: (error: unknown) => GroupLike | undefined): void {
  const failures = group.failures;
  const shown = failures.length > SHOWN_PER_GROUP ? SHOWN_PER_GROUP - 1 : failures.length;
  const more = failures.length - shown;
  for (let i = 0; i < shown; i++) {
    const failure = failures[i] as FailureLike;
    const last = i === shown - 1 && more === 0;
    const branch = `${indent}${last ? '└─' : '├─'} `;
    const cont = `${indent}${last ? '   ' : '│  '}`;
    const label = failure.task === undefined ? `[body of '${group.group}']` : `[${failure.task.path}]`;
    const inner = asGroup(failure.error);
    if (inner !== undefined) {
      lines.push(`${branch}${label} ${inner.name}: ${inner.headline}`);
      for (const frame of inner.ownFrames()) lines.push(`${cont}    ${frame}`);
      if (depth < SHOWN_DEPTH) addFailures(lines, inner, `${cont}  `, depth + 1, asGroup);
      else lines.push(`${cont}  └─ … (groups nested deeper than ${SHOWN_DEPTH} are not shown)`);
      continue;
    }
    const { head, frames } = describeThrown(failure.error);
    const [first, ...rest] = head.split('\n');
    lines.push(`${branch}${label} ${first ?? ''}`);
    for (const line of rest.slice(0, MESSAGE_LINES - 1)) lines.push(`${cont}  ${line}`);
    if (rest.length > MESSAGE_LINES - 1) lines.push(`${cont}  … ${rest.length - (MESSAGE_LINES - 1)} more lines`);
    for (const frame of frames) lines.push(`${cont}    ${frame}`);
  }
  if (more > 0) lines.push(`${indent}└─ … ${more} more ${more === 1 ? 'error' : 'errors'}`);
}

/** @internal Any thrown value as a head (`Name: message`, every line) and its user frames. */
export function describeThrown(error: unknown): { head: string; frames: readonly string[] } {
  if (error instanceof Error) {
    let stack: unknown;
    try {
      stack = error.stack;
    } catch {
      stack = undefined;
    }
    const head = `${String(error.name)}: ${String(error.message)}`;
    if (typeof stack !== 'string') return { head, frames: [] };
    const parts = splitStack(stack);
    return { head: parts.head.trim() === '' ? head : parts.head, frames: userFrames(stack) };
  }
  return { head: showThrown(error), frames: [] };
}

/** @internal A thrown value that is not an Error, on one line: `{ code: 'E42' } (thrown object)`. */
export function showThrown(value: unknown): string {
  let text: string;
  try {
    text = inspect(value, { depth: 2, breakLength: Infinity, maxStringLength: 200 });
  } catch {
    text = '<unprintable>';
  }
  if (text.length > 200) text = `${text.slice(0, 199)}…`;
  return `${text} (thrown ${value === null ? 'null' : typeof value})`;
}

/** @internal `util.inspect` of a tasktree error that is not a group: its head and its user frames. */
export function formatShort(error: Error): string {
  const { head, frames } = describeThrown(error);
  return [head, ...frames.map((frame) => `    ${frame}`)].join('\n');
}
