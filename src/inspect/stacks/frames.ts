/**
 * A walked frame as the user reads it: in their own file (the TypeScript source when the process
 * has source maps), with a path relative to the working directory when it is inside it.
 */
import { findSourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { StackFrame } from '../schema.js';
import { isLibraryFrame } from '../sites.js';
import type { WalkedFrame } from './walk.js';

/**
 * The frame to show for one suspended function: what the walk found, or (when it moved on) its
 * name and file from the heap snapshot with no line. `null` for tasktree's own frames and Node's.
 */
export function userFrame(walked: WalkedFrame | null, fn: string, file: string): StackFrame | null {
  if (walked === null) {
    if (file !== '' && isLibraryFrame(file)) return null;
    return { fn: fn === '' ? '<anonymous>' : fn, file: file === '' ? null : displayFile(file), line: null, column: null };
  }
  const origin = originalPosition(walked.file, walked.line, walked.column);
  if (isLibraryFrame(walked.file) || isLibraryFrame(origin.file)) return null;
  // The function's own name, from the heap; V8's walk would give a function without one the name
  // it infers from the code around it (`TaskGroup.run.concurrency` for a body passed with options).
  const name = fn === '' ? '<anonymous>' : walked.fn === fn ? walked.name : fn;
  return { fn: name, file: origin.file === '' ? null : displayFile(origin.file), line: origin.line, column: origin.column };
}

interface Position {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** Where a generated position comes from, by the process's source maps (when it has them). */
function originalPosition(file: string, line: number, column: number): Position {
  if (file === '' || process.sourceMapsEnabled !== true) return { file, line, column };
  try {
    const map = findSourceMap(file);
    const origin = map?.findOrigin(line, column) as { fileName?: string; lineNumber?: number; columnNumber?: number } | undefined;
    if (origin?.fileName !== undefined && origin.lineNumber !== undefined && origin.columnNumber !== undefined) {
      return { file: origin.fileName, line: origin.lineNumber, column: origin.columnNumber };
    }
  } catch {
    // A broken source map: the generated position is still true.
  }
  return { file, line, column };
}

/** A file URL as a path, relative to the working directory when it is inside it. */
export function displayFile(file: string): string {
  let path = file;
  if (file.startsWith('file://')) {
    try {
      path = fileURLToPath(file);
    } catch {
      return file;
    }
  }
  const cwd = `${process.cwd()}/`;
  return path.startsWith(cwd) ? path.slice(cwd.length) : path;
}
