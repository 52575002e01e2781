import { fileURLToPath } from 'node:url';

// Frames from tasktree itself say nothing about the user's code: drop them, and Node's internals.
const libraryUrl = new URL('..', import.meta.url).href; // .../src/ (or dist/src/) of this package
// Under source maps (`node --enable-source-maps`, Vitest) frames of dist/src/ show as src/.
const sourceUrl = libraryUrl.endsWith('/dist/src/') ? new URL('../../src/', libraryUrl).href : libraryUrl;
const libraryDirs = [...new Set([libraryUrl, fileURLToPath(libraryUrl), sourceUrl, fileURLToPath(sourceUrl)])];

/** Is this formatted stack frame from tasktree or Node's internals? */
export function isLibraryFrame(frame: string): boolean {
  for (const dir of libraryDirs) if (frame.includes(dir)) return true;
  return frame.includes('node:internal') || frame.includes('(node:');
}

const cwdUrl = `file://${process.cwd()}/`;
const cwdPath = `${process.cwd()}/`;

/**
 * The user frames of a captured site (an object `Error.captureStackTrace` filled), innermost
 * first, as `fn (file:line:col)` with paths relative to the working directory; `null` if none.
 */
export function siteLines(site: { stack?: string } | undefined): readonly string[] | null {
  const stack = site?.stack;
  if (stack === undefined) return null;
  const lines: string[] = [];
  for (const line of stack.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('at ') || isLibraryFrame(trimmed)) continue;
    lines.push(trimmed.slice(3).replaceAll(cwdUrl, '').replaceAll(cwdPath, ''));
  }
  return lines.length === 0 ? null : Object.freeze(lines);
}
