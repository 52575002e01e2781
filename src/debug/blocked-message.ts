// The text of a blocked-loop report; shared by the main thread (report when the loop resumes) and
// the watchdog worker (report while it is still blocked). Imports nothing from the core.
import { formatDuration } from '../inspect/describe.js';
import { frameLocation, indentFrames } from './frames.js';

/** What the watchdog's probe saw inside the blocked frame. */
export interface SeenBlocker {
  readonly path: string | null;
  readonly id: string | null;
  readonly frames: readonly string[];
}

/** `event loop blocked for 523 ms by task main › request#42 › render at examples/service.ts:88` + frames. */
export function blockedMessage(durationMs: number, seen: SeenBlocker | undefined, still: boolean): string {
  const head = `event loop blocked for ${formatDuration(durationMs)}${still ? ' so far (still blocked)' : ''}`;
  if (seen === undefined) return `${head} (the watchdog did not see the blocking code)`;
  const who = seen.path === null ? 'by code outside any task' : `by task ${seen.path}`;
  const where = frameLocation(seen.frames[0]);
  return `${head} ${who}${where === null ? '' : ` at ${where}`}${indentFrames(seen.frames.slice(0, 5))}`;
}
