// Argument checks for the public API. Messages name the API, what was expected, and what came.

/** `42 (number)`, `'x' (string)`, `[object Object] (object)` — a value as an error message shows it. */
export function show(value: unknown): string {
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 39)}…` : value}' (string)`;
  if (typeof value === 'function') return `${value.name || 'anonymous'} (function)`;
  if (value === null) return 'null';
  let text: string;
  try {
    text = String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return `${text} (${typeof value})`;
}

export function checkName(api: string, name: unknown): string {
  if (typeof name !== 'string') throw new TypeError(`${api}: expected name to be a non-empty string, got ${show(name)}`);
  if (name.length === 0) throw new TypeError(`${api}: expected name to be a non-empty string, got '' (empty string)`);
  return name;
}

export function checkFunction(api: string, what: string, fn: unknown): void {
  if (typeof fn !== 'function') throw new TypeError(`${api}: expected ${what} to be a function, got ${show(fn)}`);
}

/** A finite number of milliseconds; zero and negative values are allowed (they expire at once). */
export function checkMs(api: string, what: string, ms: unknown): number {
  if (typeof ms !== 'number' || Number.isNaN(ms) || !Number.isFinite(ms)) {
    throw new RangeError(`${api}: expected ${what} to be a finite number of milliseconds, got ${show(ms)}`);
  }
  return ms;
}

export function checkConcurrency(api: string, n: unknown): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
    throw new RangeError(`${api}: expected concurrency to be an integer >= 1, got ${show(n)}`);
  }
  return n;
}

export function checkSignal(api: string, signal: unknown): AbortSignal {
  if (!(signal instanceof AbortSignal)) throw new TypeError(`${api}: expected signal to be an AbortSignal, got ${show(signal)}`);
  return signal;
}

/** An optional boolean option: its value, or `fallback` when absent. */
export function checkBoolean(api: string, what: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`${api}: expected ${what} to be a boolean, got ${show(value)}`);
  return value;
}

export function checkOptions(api: string, options: unknown): void {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new TypeError(`${api}: expected options to be an object, got ${show(options)}`);
  }
}
