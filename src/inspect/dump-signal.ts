import { writeSync } from 'node:fs';
import { formatTree } from './format-tree.js';
import { captureSnapshot } from './snapshot.js';

/** Options of {@link installDumpSignal}. */
export interface DumpSignalOptions {
  /** Show identical sibling subtrees one by one. */
  readonly expand?: boolean;
}

const installed = new Map<NodeJS.Signals, { count: number; handler: () => void }>();

/**
 * On `signal` (default `SIGUSR2`), writes the task tree to stderr: `kill -USR2 <pid>` shows what
 * a stuck process is doing. Returns a function that uninstalls it. `run()` installs it unless
 * given `dumpSignal: false`. Never throws from the handler, never crashes the process.
 *
 * Node uses SIGUSR1 for its inspector, and `--report-on-signal` uses SIGUSR2 by default: pick
 * another signal (e.g. `SIGWINCH`, `SIGPWR`) if you use that.
 *
 * @example
 * ```ts
 * import { installDumpSignal } from 'tasktree/inspect';
 * const uninstall = installDumpSignal('SIGUSR2');
 * // … later
 * uninstall();
 * ```
 */
export function installDumpSignal(signal: NodeJS.Signals = 'SIGUSR2', options?: DumpSignalOptions): () => void {
  checkDumpSignal('installDumpSignal(signal)', signal);
  let entry = installed.get(signal);
  if (entry === undefined) {
    const handler = (): void => dump(options);
    process.on(signal, handler);
    installed.set(signal, (entry = { count: 0, handler }));
  }
  entry.count++;
  let done = false;
  return () => {
    if (done) return;
    done = true;
    const current = installed.get(signal);
    if (current === undefined || --current.count > 0) return;
    process.off(signal, current.handler);
    installed.delete(signal);
  };
}

/** @internal Throws unless `signal` can be a dump signal. */
export function checkDumpSignal(api: string, signal: unknown): asserts signal is NodeJS.Signals {
  if (typeof signal !== 'string' || !signal.startsWith('SIG')) {
    throw new TypeError(`${api}: expected a signal name like 'SIGUSR2', got ${String(signal)} (${typeof signal})`);
  }
  if (signal === 'SIGUSR1') {
    throw new RangeError(`${api}: SIGUSR1 starts Node's inspector; choose another signal (default 'SIGUSR2')`);
  }
}

/** @internal The dump as text: a header line, the tree, and the deadlocks. */
export function dumpText(options?: DumpSignalOptions): string {
  const snapshot = captureSnapshot();
  const header = `tasktree: ${snapshot.tasks.length} live task${snapshot.tasks.length === 1 ? '' : 's'} in pid ${snapshot.pid} at ${new Date(snapshot.capturedAt).toISOString()}`;
  return `${header}\n${formatTree(snapshot, options)}`;
}

function dump(options?: DumpSignalOptions): void {
  let text: string;
  try {
    text = dumpText(options);
  } catch (error) {
    text = `tasktree: could not dump the task tree: ${error instanceof Error ? error.message : String(error)}\n`;
  }
  writeAll(2, text);
}

// Synchronous, so the dump is whole even if the process exits right after; bounded, so a
// stderr nobody reads cannot stall the process for long.
const pause = new Int32Array(new SharedArrayBuffer(4));
function writeAll(fd: number, text: string): void {
  const buffer = Buffer.from(text);
  let offset = 0;
  let retries = 0;
  while (offset < buffer.length) {
    try {
      offset += writeSync(fd, buffer, offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN' || ++retries > 1000) return;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}
