import { isLibraryFrame } from '../core/internal.js';

export { isLibraryFrame };

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
