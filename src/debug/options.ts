/** Options of {@link enableDebug}. Every field is optional; the defaults suit development. */
export interface DebugOptions {
  /** Report when the event loop is blocked longer than this many milliseconds. Default `100`. */
  readonly slowMs?: number;
  /** Report a task still running this many milliseconds after its cancellation. Default `5000`. */
  readonly ignoredCancelMs?: number;
  /**
   * Strict mode, for CI: every report makes `run()` reject with a {@link DebugStrictError} (when
   * its main task succeeded) and the process exit with code 1. Default `false`.
   */
  readonly strict?: boolean;
  /** Print each report to stderr as a `TaskTreeWarning` (`process.emitWarning`). Default `true`. */
  readonly warnings?: boolean;
  /** Run the blocked-loop watchdog (a worker thread). Default `true`. */
  readonly watchdog?: boolean;
  /**
   * Track promises created inside tasks (`v8.promiseHooks`): unhandled rejections name the task
   * and the line that created the promise; never-awaited promises are reported. Default `true`.
   */
  readonly promises?: boolean;
  /**
   * What an unhandled rejection does once reported. `'node'` (default): what Node would do
   * without tasktree (with the default `--unhandled-rejections=throw`: the process crashes with
   * the error, exit code 1). `'report'`: report it and keep running.
   */
  readonly unhandledRejections?: 'node' | 'report';
  /** How many stack frames a creation or await site keeps. Default `8`. */
  readonly stackDepth?: number;
}

/** @internal The options in force, every field filled in. */
export type ResolvedDebugOptions = { readonly [K in keyof DebugOptions]-?: Exclude<DebugOptions[K], undefined> };

const DEFAULTS: ResolvedDebugOptions = {
  slowMs: 100,
  ignoredCancelMs: 5000,
  strict: false,
  warnings: true,
  watchdog: true,
  promises: true,
  unhandledRejections: 'node',
  stackDepth: 8,
};

function show(value: unknown): string {
  return `${typeof value === 'string' ? JSON.stringify(value) : String(value)} (${typeof value})`;
}

/** @internal Validates `options` and fills in the defaults. */
export function resolveOptions(api: string, options: DebugOptions | undefined): ResolvedDebugOptions {
  if (options === undefined) return DEFAULTS;
  if (options === null || typeof options !== 'object') throw new TypeError(`${api}: expected options to be an object, got ${show(options)}`);
  const out = { ...DEFAULTS } as { -readonly [K in keyof ResolvedDebugOptions]: ResolvedDebugOptions[K] };
  for (const key of ['slowMs', 'ignoredCancelMs', 'stackDepth'] as const) {
    const value = options[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new RangeError(`${api}: expected ${key} to be a finite number > 0, got ${show(value)}`);
    }
    out[key] = key === 'stackDepth' ? Math.ceil(value) : value;
  }
  for (const key of ['strict', 'warnings', 'watchdog', 'promises'] as const) {
    const value = options[key];
    if (value === undefined) continue;
    if (typeof value !== 'boolean') throw new TypeError(`${api}: expected ${key} to be a boolean, got ${show(value)}`);
    out[key] = value;
  }
  const mode = options.unhandledRejections;
  if (mode !== undefined) {
    if (mode !== 'node' && mode !== 'report') {
      throw new TypeError(`${api}: expected unhandledRejections to be 'node' or 'report', got ${show(mode)}`);
    }
    out.unhandledRejections = mode;
  }
  return out;
}

/** @internal
 * Debug options from `TASKTREE_DEBUG`: `1`/`true`/`on` → defaults, `strict` → strict mode;
 * unset, empty, `0`, `false` or `off` → `undefined` (debug stays off).
 */
export function optionsFromEnv(value: string | undefined): DebugOptions | undefined {
  const v = value?.trim().toLowerCase();
  if (v === undefined || v === '' || v === '0' || v === 'false' || v === 'off') return undefined;
  if (v === 'strict') return { strict: true };
  return {};
}
