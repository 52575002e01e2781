/**
 * Taking every task's stack, on the main thread: park each task's promise where the heap snapshot
 * finds it, let the probe's worker thread query the heap, snapshot and analyse it (probe-worker.ts),
 * then start V8's async stack walk at what each task awaits (walk.ts) and turn the walks into
 * frames in the user's own files. One probe at a time; a second request shares the running one.
 */
import { randomBytes } from 'node:crypto';
import { types } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { Task } from '../../core/index.js';
import { now, taskPhase, taskPromise, toEpoch } from '../../core/internal.js';
import type { StackFrame, StackReason, StacksInfo } from '../schema.js';
import type { Chain } from './async-graph.js';
import { HOLDER_KEYS } from './async-graph.js';
import { userFrame } from './frames.js';
import type { ProbeReply } from './probe-protocol.js';
import { isPending, walkAll, type WalkedFrame, type WalkStart } from './walk.js';

/** Options of taking the stacks. */
export interface StacksOptions {
  /** Take them even when the heap is larger than `maxHeapBytes`. Default `false`. */
  readonly force?: boolean;
  /**
   * Refuse (with the estimated stop) when the heap is larger than this. Default 256 MiB: on a
   * 2-core VM, a heap snapshot of that much stops the process for roughly 10 to 20 seconds.
   */
  readonly maxHeapBytes?: number;
}

/** @internal A task's stack: frames innermost first, and why it is empty or incomplete. */
export interface TaskStack {
  readonly frames: readonly StackFrame[];
  readonly reason: StackReason | null;
}

/** @internal The stacks of the tasks asked for, and what taking them cost. */
export interface StacksResult {
  readonly stacks: ReadonlyMap<Task, TaskStack>;
  readonly info: StacksInfo;
}

/** @internal */
export const DEFAULT_MAX_HEAP_BYTES = 256 * 1024 * 1024;
/** Measured on a 2-core VM: the heap snapshot alone takes ≈45–70 ms per MiB of used heap. */
const ESTIMATE_MS_PER_MIB = 60;
/** Walks started in one drain of the microtask queue (each ≈20–50 µs): bounds every stop. */
const WALK_BATCH = 512;
/** A probe that has not answered after this long is given up (the worker is stopped). */
const PROBE_TIMEOUT_MS = 5 * 60_000;

/** Thrown when the heap is too large for a bounded stop and `force` was not given. */
export class StacksRefusedError extends Error {
  override name = 'StacksRefusedError';
  readonly code = 'TASKTREE_STACKS_REFUSED';
  constructor(
    readonly heapBytes: number,
    readonly limitBytes: number,
    readonly estimatedStopMs: number,
  ) {
    super(
      `the heap holds ${mib(heapBytes)} (limit ${mib(limitBytes)}): taking the stacks would stop the process for about ` +
        `${Math.round(estimatedStopMs / 1000)} s (a heap snapshot); force it (--force, or { force: true }) or raise the limit`,
    );
  }
}

function mib(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MiB`;
}

const { isPromise } = types;

let running: Promise<StacksResult> | undefined;

/** @internal Takes the stacks of `tasks` (live tasks, in any order). Rejects with {@link StacksRefusedError} over the limit. */
export function captureStacks(tasks: readonly Task[], options: StacksOptions = {}): Promise<StacksResult> {
  const heapBytes = getHeapStatistics().used_heap_size;
  const limit = options.maxHeapBytes ?? DEFAULT_MAX_HEAP_BYTES;
  if (options.force !== true && heapBytes > limit) {
    return Promise.reject(new StacksRefusedError(heapBytes, limit, (heapBytes / (1024 * 1024)) * ESTIMATE_MS_PER_MIB));
  }
  running ??= probe(tasks, heapBytes).finally(() => {
    running = undefined;
  });
  return running;
}

interface Holder {
  [HOLDER_KEYS.tasks]: (Promise<unknown> | null)[];
  [HOLDER_KEYS.promises]: unknown[] | null;
  [HOLDER_KEYS.functions]: unknown[] | null;
  /**
   * Called by the probe's thread with every object of the heap: keeps the promises, and the
   * functions too when `withFunctions` (a second round, for a shared promise's awaiters).
   */
  park(objects: readonly unknown[], withFunctions: boolean): void;
}

function park(this: Holder, objects: readonly unknown[], withFunctions: boolean): void {
  const promises: unknown[] = [];
  const functions: unknown[] = [];
  // `typeof` and `isPromise` run no code of the objects' (no getters, no proxy traps).
  for (let i = 0; i < objects.length; i++) {
    const object = objects[i];
    if (typeof object === 'function') {
      if (withFunctions) functions.push(object);
    } else if (isPromise(object)) promises.push(object);
  }
  this[HOLDER_KEYS.promises] = promises;
  this[HOLDER_KEYS.functions] = withFunctions ? functions : null;
}

/**
 * Measures how long the main thread is stopped, where it happens: a 1 ms timer notes every gap
 * between its ticks longer than 2 ms (the heap queries, the snapshot, the walks — and anything
 * else that held the thread meanwhile).
 */
function watchStops(): { stop(): { longest: number; total: number } } {
  let last = performance.now();
  let longest = 0;
  let total = 0;
  const note = (): void => {
    const t = performance.now();
    const gap = t - last - 1;
    last = t;
    if (gap > 2) {
      longest = Math.max(longest, gap);
      total += gap;
    }
  };
  const timer = setInterval(note, 1);
  timer.unref();
  return {
    stop() {
      note();
      clearInterval(timer);
      return { longest, total };
    },
  };
}

async function probe(tasks: readonly Task[], heapBytes: number): Promise<StacksResult> {
  const started = now();
  const stops = watchStops();
  const holderKey = `tasktree.stacks.${randomBytes(6).toString('hex')}`;
  const promises = tasks.map((task) => taskPromise(task) ?? null);
  const holder: Holder = { [HOLDER_KEYS.tasks]: promises, [HOLDER_KEYS.promises]: null, [HOLDER_KEYS.functions]: null, park };
  const global = globalThis as unknown as Record<symbol, unknown>;
  const symbol = Symbol.for(holderKey);
  global[symbol] = holder;
  try {
    const reply = await runWorker(holderKey);
    const takenAt = toEpoch(now());
    const all = holder[HOLDER_KEYS.promises] ?? [];
    const fns = holder[HOLDER_KEYS.functions] ?? [];
    const walkStart = performance.now();
    const resolved = await walkChains(reply.graph.chains, all, fns);
    const walkMs = performance.now() - walkStart;
    const stacks = new Map<Task, TaskStack>();
    for (let i = 0; i < tasks.length; i++) {
      const task = tasks[i] as Task;
      const chain = reply.graph.chains[i] ?? null;
      stacks.set(task, stackOf(task, chain, resolved, promises[i] ?? null));
    }
    const stopped = stops.stop();
    return {
      stacks,
      info: Object.freeze({
        takenAt,
        totalMs: now() - started,
        longestStopMs: Math.round(stopped.longest),
        stoppedMs: Math.round(stopped.total),
        heapNodes: reply.graph.nodeCount,
        heapBytes,
        phases: Object.freeze({
          queries: Math.round(reply.phases[0] ?? 0),
          snapshot: Math.round(reply.phases[1] ?? 0),
          analysis: Math.round(reply.analyzeMs),
          walks: Math.round(walkMs),
        }),
        rounds: reply.rounds,
      }),
    };
  } finally {
    stops.stop();
    delete global[symbol];
  }
}

function runWorker(holderKey: string): Promise<Extract<ProbeReply, { ok: true }>> {
  return new Promise((resolve, reject) => {
    // No execArgv: the user's --import/--require preloads must not run in the probe's thread.
    const worker = new Worker(new URL('./probe-worker.js', import.meta.url), {
      workerData: { holderKey },
      execArgv: [],
      name: 'tasktree-stacks',
      stdout: true,
      stderr: true,
    });
    worker.unref();
    let done = false;
    const finish = (error: Error | null, reply?: Extract<ProbeReply, { ok: true }>): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (error !== null) reject(error);
      else resolve(reply as Extract<ProbeReply, { ok: true }>);
    };
    // Only a thread that never answered is stopped from here (see probe-worker.ts: stopping one that
    // answered could abort the process); one that answered ends itself when told.
    const timer = setTimeout(() => {
      void worker.terminate().catch(() => undefined);
      finish(new Error(`the stacks probe did not answer within ${PROBE_TIMEOUT_MS / 1000} s`));
    }, PROBE_TIMEOUT_MS);
    timer.unref();
    worker.once('message', (reply: ProbeReply) => {
      worker.postMessage('done');
      if (reply.ok) finish(null, reply);
      else finish(new Error(`the stacks probe failed: ${reply.message}`));
    });
    worker.once('error', (error) => finish(new Error(`the stacks probe failed: ${error.message}`)));
    worker.once('exit', (code) => finish(new Error(`the stacks probe stopped (exit code ${code}) before answering`)));
    worker.postMessage('probe');
  });
}

// ---------------------------------------------------------------------------------------------
// Walks. A chain's frames are walked from the innermost awaited promise outward; V8's walk stops
// where a promise has several awaiters (shared), and the next round starts from there, through the
// suspended function's own await closure. Frames are matched to the chain by function name.

interface Item {
  readonly chain: Chain;
  /** Per chain frame (outermost first): what the walk found, or null. */
  readonly found: (WalkedFrame | null)[];
  /** For a branch of `Promise.all`/`allSettled`/`any`: its index there, once a walk showed it. */
  index: number;
}

interface Step {
  readonly item: Item;
  /** The innermost frame not walked yet. */
  readonly pos: number;
  readonly viaResume: boolean;
}

type Walked = Map<Chain, Item>;

async function walkChains(chains: readonly (Chain | null)[], all: readonly unknown[], fns: readonly unknown[]): Promise<Walked> {
  const items: Item[] = [];
  const collect = (chain: Chain): void => {
    items.push({ chain, found: chain.frames.map(() => null), index: -1 });
    for (const branch of chain.branches) collect(branch);
  };
  for (const chain of chains) if (chain !== null) collect(chain);
  let steps: Step[] = items.filter((item) => item.chain.frames.length > 0).map((item) => ({ item, pos: item.chain.frames.length - 1, viaResume: false }));
  for (let round = 0; steps.length > 0 && round < 64; round++) {
    const next: Step[] = [];
    for (let at = 0; at < steps.length; at += WALK_BATCH) {
      const batch = steps.slice(at, at + WALK_BATCH);
      const starts: WalkStart[] = batch.map(({ item, pos, viaResume }) => {
        const frame = item.chain.frames[pos];
        const awaited = frame === undefined || frame.awaited < 0 ? undefined : all[frame.awaited];
        if (!viaResume) return { from: awaited };
        return { resume: frame === undefined || frame.resume < 0 ? undefined : fns[frame.resume], awaited };
      });
      // Let the event loop breathe between batches: each drain is one bounded stop.
      if (at > 0) await new Promise((resolve) => setImmediate(resolve));
      const walked = await walkAll(starts);
      batch.forEach((step, k) => {
        const followUp = advance(step, walked[k] ?? []);
        if (followUp !== null) next.push(followUp);
      });
    }
    steps = next;
  }
  return new Map(items.map((item) => [item.chain, item]));
}

/** Records what a walk matched; returns the step for the frames still to walk, if any. */
function advance(step: Step, walked: readonly WalkedFrame[]): Step | null {
  const { item, pos } = step;
  const frames = item.chain.frames;
  let p = pos;
  for (const frame of walked) {
    if (frame.combinator !== undefined) {
      item.index = frame.index ?? -1;
      break;
    }
    if (p < 0) break;
    if (!sameFunction(frame.fn, (frames[p] as { fn: string }).fn)) break;
    item.found[p] = frame;
    p--;
  }
  if (p === pos) {
    // Nothing matched here: try the frame's own await closure (a shared promise), else give it up.
    const frame = frames[pos];
    if (!step.viaResume && frame !== undefined && frame.resume >= 0 && frame.awaited >= 0) return { item, pos, viaResume: true };
    p = pos - 1;
  }
  return p >= 0 ? { item, pos: p, viaResume: false } : null;
}

function sameFunction(walked: string, snapshot: string): boolean {
  return walked === snapshot || walked === '' || snapshot === '';
}

// ---------------------------------------------------------------------------------------------
// Frames, as the user sees them.

function stackOf(task: Task, chain: Chain | null, walked: Walked, promise: Promise<unknown> | null): TaskStack {
  if (chain === null) {
    const phase = taskPhase(task);
    if (phase === 'queued' || phase === 'starting' || phase === 'joining') return { frames: [], reason: phase };
    return { frames: [], reason: promise === null ? 'no-async-frame' : 'not-found' };
  }
  const frames = framesOf(chain, walked);
  let reason: StackReason | null = null;
  if (chain.end === 'never-settles') reason = 'never-settles';
  if (hasUnwalked(frames)) reason = 'moved-on';
  if (frames.length === 0 && reason === null) reason = 'no-async-frame';
  // The snapshot saw the task's promise settled, or it settled since: it moved on.
  if (frames.length === 0 && promise !== null && !isPending(promise)) reason = 'moved-on';
  return { frames, reason };
}

function hasUnwalked(frames: readonly StackFrame[]): boolean {
  for (const frame of frames) {
    if (frame.line === null) return true;
    if (frame.awaits !== undefined && frame.awaits.branches.some(hasUnwalked)) return true;
  }
  return false;
}

/** The chain's frames, innermost first, in the user's files; tasktree's and Node's own frames left out. */
function framesOf(chain: Chain, walked: Walked): StackFrame[] {
  const found = walked.get(chain)?.found ?? [];
  const kept: StackFrame[] = [];
  for (let p = chain.frames.length - 1; p >= 0; p--) {
    const frame = chain.frames[p] as Chain['frames'][number];
    const shown = userFrame(found[p] ?? null, frame.fn, frame.file);
    if (shown !== null) kept.push(shown);
  }
  let awaits: StackFrame['awaits'];
  if (chain.end === 'branches' && chain.combinator !== null) {
    // In the order they were passed to the combinator, where the walks showed it.
    const order = (branch: Chain): number => walked.get(branch)?.index ?? -1;
    const branches = [...chain.branches].sort((a, b) => (order(a) < 0 || order(b) < 0 ? 0 : order(a) - order(b)));
    awaits = { combinator: chain.combinator, branches: branches.map((branch) => framesOf(branch, walked)) };
  }
  if (awaits !== undefined) {
    if (kept.length === 0) kept.push({ fn: awaits.combinator, file: null, line: null, column: null, awaits });
    else kept[0] = { ...(kept[0] as StackFrame), awaits };
  }
  return kept;
}
