import { siteLines } from '../inspect/sites.js';
import type { Site } from './reports.js';

/**
 * The user frames of a captured stack (library and Node-internal frames removed, and frames of
 * code evaluated through the inspector), innermost first; `[]` if none.
 */
export function userFrames(holder: { stack?: string } | undefined): Site {
  const lines = siteLines(holder);
  if (lines === null) return [];
  // Code evaluated through the inspector has no file: `<anonymous>:1:7` or `fn (<anonymous>)`.
  // (Under source maps an anonymous function of a real file reads `<anonymous> (file:line:col)`: kept.)
  return lines.filter((line) => !/^<anonymous>(?::\d+:\d+)?$/.test(line) && !line.endsWith('(<anonymous>)'));
}

/** `file:line` of a frame `fn (file:line:col)` or `file:line:col`; `null` if it has no location. */
export function frameLocation(frame: string | undefined): string | null {
  if (frame === undefined) return null;
  const match = /\(?([^\s()]+):(\d+):\d+\)?$/.exec(frame);
  return match === null ? null : `${match[1] as string}:${match[2] as string}`;
}

/** The frames, indented, one per line: `\n    at fn (file:line:col)`… */
export function indentFrames(frames: Site, indent = '    '): string {
  return frames.map((frame) => `\n${indent}at ${frame}`).join('');
}
