import { fileURLToPath } from 'node:url';

// Frames from tasktree itself say nothing about the user's code: errors, reports and sites drop
// them, and Node's internals with them.
const libraryUrl = new URL('..', import.meta.url).href; // .../src/ (or dist/src/) of this package
// Under source maps (`node --enable-source-maps`, Vitest) frames of dist/src/ show as src/.
const sourceUrl = libraryUrl.endsWith('/dist/src/') ? new URL('../../src/', libraryUrl).href : libraryUrl;
const libraryDirs = [...new Set([libraryUrl, fileURLToPath(libraryUrl), sourceUrl, fileURLToPath(sourceUrl)])];

/** @internal Is this formatted stack frame from tasktree or Node's internals? */
export function isLibraryFrame(frame: string): boolean {
  for (const dir of libraryDirs) if (frame.includes(dir)) return true;
  return frame.includes('node:internal') || frame.includes('(node:');
}

/** A formatted stack split in two: the text before its first frame, and the frames (`at …`). */
export interface StackParts {
  /** `Name: message` (every line of a multi-line message). */
  readonly head: string;
  /** Every frame, trimmed: `at fn (file:line:col)`. */
  readonly frames: readonly string[];
}

/** @internal Splits a formatted stack (`Name: message\n    at …`) into its head and its frames. */
export function splitStack(stack: string): StackParts {
  const lines = stack.split('\n');
  let first = lines.findIndex((line) => /^\s+at /.test(line));
  if (first < 0) first = lines.length;
  return {
    head: lines.slice(0, first).join('\n'),
    frames: lines.slice(first).map((line) => line.trim()).filter((line) => line.startsWith('at ')),
  };
}

/** @internal The frames of a formatted stack that are the user's (`at …`, tasktree's and Node's own removed). */
export function userFrames(stack: string): string[] {
  return splitStack(stack).frames.filter((frame) => !isLibraryFrame(frame));
}
