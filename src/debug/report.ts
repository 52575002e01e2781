import { writeSync } from 'node:fs';
import { debugEvents } from './events.js';
import { WARNING_CODES, type DebugReport } from './reports.js';

// Every report goes through here: recorded (strict mode counts them), emitted on debugEvents,
// and printed as a TaskTreeWarning unless warnings are off.

const MAX_KEPT = 1000;
let kept: DebugReport[] = [];
let total = 0;
let printWarnings = true;

/** @internal */
export function setPrintWarnings(on: boolean): void {
  printWarnings = on;
}

/** @internal How many reports were made since the process started (a mark for {@link reportsSince}). */
export function reportCount(): number {
  return total;
}

/** @internal The reports made since `mark` (those still kept: the last 1000). */
export function reportsSince(mark: number): DebugReport[] {
  const missing = total - kept.length;
  return kept.slice(Math.max(0, mark - missing));
}

/** @internal
 * Records `report`, emits it on `debugEvents` and prints it. `sync`: print with a synchronous
 * write, for moments when the process is about to exit or crash (no later tick will run).
 */
export function report(r: DebugReport, sync = false): void {
  total++;
  kept.push(r);
  if (kept.length > MAX_KEPT) kept = kept.slice(-MAX_KEPT / 2);
  try {
    debugEvents.emit(r.kind, r as never);
  } catch (error) {
    printWarning(`a debugEvents '${r.kind}' listener threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`, 'TASKTREE_LISTENER_THREW', sync);
  }
  if (printWarnings) printWarning(r.message, WARNING_CODES[r.kind], sync);
}

/** @internal `process.emitWarning`, or the same text written synchronously to stderr. */
export function printWarning(message: string, code: string, sync: boolean): void {
  if (!sync) {
    process.emitWarning(message, { type: 'TaskTreeWarning', code });
    return;
  }
  if (warningsSilenced()) return;
  writeStderr(`(node:${process.pid}) [${code}] TaskTreeWarning: ${message}\n`);
}

function warningsSilenced(): boolean {
  if (process.env['NODE_NO_WARNINGS'] === '1') return true;
  return process.execArgv.includes('--no-warnings') || (process.env['NODE_OPTIONS'] ?? '').includes('--no-warnings');
}

/** @internal Writes all of `text` to stderr synchronously (bounded retries on EAGAIN). */
export function writeStderr(text: string): void {
  const buffer = Buffer.from(text);
  let offset = 0;
  let retries = 0;
  while (offset < buffer.length) {
    try {
      offset += writeSync(2, buffer, offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN' || ++retries > 1000) return;
    }
  }
}

/**
 * The reports debug mode made so far in this process (the last 1000), oldest first: a fresh array.
 *
 * @example
 * ```ts
 * import { debugReports } from 'tasktree/debug';
 * process.on('exit', () => console.error(debugReports().map((r) => r.kind)));
 * ```
 */
export function debugReports(): readonly DebugReport[] {
  return kept.slice();
}
