import { formatShort } from '../core/internal.js';
import type { DebugReport } from './reports.js';

/**
 * Strict debug mode (`TASKTREE_DEBUG=strict`, `enableDebug({ strict: true })`): `run()` rejects
 * with this error when its main task succeeded but debug mode made reports meanwhile (a blocked
 * loop, a never-awaited promise, a leaked task, an ignored cancellation, an unhandled
 * rejection). `reports` holds them; the message names each on one line.
 */
export class DebugStrictError extends Error {
  static {
    Object.defineProperty(this.prototype, 'name', { value: 'DebugStrictError', writable: true, enumerable: false, configurable: true });
  }
  // Behind a getter: Node prints an uncaught error's own enumerable fields, and the message
  // already names every report.
  readonly #reports: readonly DebugReport[];
  constructor(reports: readonly DebugReport[], where: string) {
    const count = reports.length === 1 ? '1 debug report' : `${reports.length} debug reports`;
    super(`tasktree strict debug mode: ${count} during ${where}:\n${summarizeReports(reports)}`);
    this.#reports = reports;
  }
  /** The reports that made the run fail, oldest first. */
  get reports(): readonly DebugReport[] {
    return this.#reports;
  }
  /** @internal The message (one line per report) and the user's frames. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return formatShort(this);
  }
}

/** @internal One line per report: `  [blocked] event loop blocked for 300 ms by task main › render at x.js:12` */
export function summarizeReports(reports: readonly DebugReport[]): string {
  const shown = reports.slice(0, 20).map((r) => `  [${r.kind}] ${r.message.split('\n', 1)[0] ?? ''}`);
  if (reports.length > 20) shown.push(`  … ${reports.length - 20} more`);
  return shown.join('\n');
}
