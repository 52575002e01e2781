/**
 * V8's own async stack walk, started at a chosen pending promise. Runs on the target's main thread.
 *
 * Inside a promise reaction job, `Error.captureStackTrace` lists the async frames awaiting the job's
 * promise, outward: the exact `file:line:col` of every async function suspended on that chain. To
 * start that walk at a promise X of our choosing without touching X, a reaction job is made whose
 * promise D has exactly one reaction whose capability's promise is X: `D = Z.then(h)` gets the
 * prototype of a `Promise` subclass whose species constructor returns X, so `D.then(noop, noop)`
 * hangs X under D. When h runs, V8 walks D → X → X's awaiter → … . X is never resolved (the
 * capability's functions are no-ops). `Object.setPrototypeOf` on D, never an own `constructor`:
 * an own `constructor` on any promise would switch off V8's promise species fast path for the rest
 * of the process's life.
 *
 * A promise awaited by several async functions (shared) has several reactions, and the walk stops
 * there; then it starts at a fresh, never-settled promise whose one reaction has the suspended
 * function's own await closure as its handler — but only after checking, in the same synchronous
 * run, that the awaited promise is still pending: V8 checks that the generator is suspended, and
 * aborts the process if it is not.
 */
import { inspect } from 'node:util';

/** One async frame as V8 reports it (positions 1-based, of the generated code). */
export interface WalkedFrame {
  readonly name: string;
  /** The function's own name, as the heap snapshot has it ('' when anonymous). */
  readonly fn: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Set on the frame of a `Promise.all`/`allSettled`/`any` element: the combinator and its index. */
  readonly combinator?: string;
  readonly index?: number;
}

const noop = (): void => {};
const settled = Promise.resolve();
let target: unknown = null;

// The species constructor: called by `D.then` as `new Species(executor)`; returns the chosen promise.
function Species(this: unknown, executor: (resolve: () => void, reject: () => void) => void): unknown {
  executor(noop, noop);
  return target;
}
class WalkPromise<T> extends Promise<T> {}
Object.defineProperty(WalkPromise, Symbol.species, { value: Species, configurable: true });

interface CallSiteLike {
  isAsync(): boolean;
  isPromiseAll(): boolean;
  getPromiseIndex(): number | null;
  isToplevel(): boolean;
  getTypeName(): string | null;
  getFunctionName(): string | null;
  getMethodName(): string | null;
  getFileName(): string | null | undefined;
  getScriptNameOrSourceURL?(): string | null | undefined;
  getLineNumber(): number | null;
  getColumnNumber(): number | null;
}

/** The async frames of the current reaction job's promise chain, innermost first. */
function asyncFramesHere(): WalkedFrame[] {
  const limit = Error.stackTraceLimit;
  const prepare = Error.prepareStackTrace;
  let sites: CallSiteLike[];
  try {
    Error.stackTraceLimit = 256;
    Error.prepareStackTrace = (_error, callSites) => callSites;
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder);
    sites = holder.stack as CallSiteLike[];
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
  const frames: WalkedFrame[] = [];
  for (const site of sites) {
    if (!site.isAsync()) continue;
    const fn = site.getFunctionName() ?? '';
    const file = site.getScriptNameOrSourceURL?.() ?? site.getFileName() ?? '';
    const position = { file, line: site.getLineNumber() ?? 0, column: site.getColumnNumber() ?? 0 };
    if (site.isPromiseAll() || (fn === 'all' || fn === 'allSettled' || fn === 'any') && site.getTypeName() === 'Promise' && file === '') {
      frames.push({ name: `Promise.${fn || 'all'}`, fn, ...position, combinator: `Promise.${fn || 'all'}`, index: site.getPromiseIndex() ?? 0 });
      continue;
    }
    frames.push({ name: displayName(site, fn), fn, ...position });
  }
  return frames;
}

/** The name as V8's own stack lines show it: `helper`, `Service.load`, `<anonymous>`. */
function displayName(site: CallSiteLike, fn: string): string {
  if (site.isToplevel()) return fn || '<anonymous>';
  const type = site.getTypeName();
  const name = fn || site.getMethodName() || '<anonymous>';
  return type === null || type === '' || type === 'Object' || name.startsWith(`${type}.`) ? name : `${type}.${name}`;
}

/** Whether a native promise is pending, read without running any of its code. */
export function isPending(promise: unknown): boolean {
  if (!(promise instanceof Promise)) return false;
  return /^[^{]*\{\s*<pending>/.test(inspect(promise, { depth: 0, customInspect: false, showProxy: false }));
}

/** One walk to make: from a pending promise, or from a suspended function's await closure. */
export type WalkStart =
  | { readonly from: unknown }
  | { readonly resume: unknown; readonly awaited: unknown };

/**
 * Walks outward from each start, all in one drain of the microtask queue, and resolves with the
 * frames of each, innermost first (empty where the chain moved on or cannot be walked).
 */
export function walkAll(starts: readonly WalkStart[]): Promise<WalkedFrame[][]> {
  return new Promise((resolve) => {
    const out: WalkedFrame[][] = new Array<WalkedFrame[]>(starts.length);
    let left = starts.length;
    const done = (k: number, frames: WalkedFrame[]): void => {
      out[k] = frames;
      if (--left === 0) resolve(out);
    };
    if (left === 0) {
      resolve(out);
      return;
    }
    for (let k = 0; k < starts.length; k++) {
      const start = starts[k] as WalkStart;
      let from: unknown;
      let awaited: unknown;
      if ('from' in start) from = start.from;
      else {
        awaited = start.awaited;
        if (typeof start.resume !== 'function' || !(awaited instanceof Promise)) {
          done(k, []);
          continue;
        }
        // A fresh promise that never settles, whose one reaction is the function's own await closure.
        const fresh = new Promise<unknown>(noop);
        void fresh.then(start.resume as (value: unknown) => unknown, noop);
        from = fresh;
      }
      if (!(from instanceof Promise)) {
        done(k, []);
        continue;
      }
      const d = settled.then(() => {
        // In the same synchronous run as the capture: a generator that moved on is never walked.
        done(k, awaited === undefined || isPending(awaited) ? asyncFramesHere() : []);
      });
      Object.setPrototypeOf(d, WalkPromise.prototype);
      target = from;
      try {
        void d.then(noop, noop);
      } finally {
        target = null;
      }
    }
  });
}
