/**
 * The snapshot schema, `formatVersion: 1`.
 *
 * A snapshot is frozen plain data: it can be printed, diffed, sent over a socket as JSON and
 * rendered by the pure formatters in this folder. Times are milliseconds; ids are task ids.
 */

/** What a task is waiting on, and for how long. */
export type WaitInfo =
  | { readonly kind: 'task'; readonly taskIds: readonly string[]; readonly forMs: number }
  | { readonly kind: 'group'; readonly group: string; readonly forMs: number }
  | { readonly kind: 'sleep'; readonly ms: number; readonly forMs: number }
  | { readonly kind: 'promise'; readonly label: string; readonly forMs: number }
  | { readonly kind: 'queue'; readonly group: string; readonly forMs: number };

/** A cancellation, summarised. */
export interface CancelInfo {
  /** `explicit`, `parent-cancelled`, `sibling-failed`, `body-failed`, `timeout`, `signal` or `scope-done`. */
  readonly kind: string;
  /** One line saying who cancelled it and why. */
  readonly message: string;
}

/**
 * One suspended async function of a task's stack: where it waits, exactly. Positions are 1-based;
 * `file` is a path (relative to the process's working directory when inside it) or a URL, and the
 * TypeScript source when the process runs with source maps.
 */
export interface StackFrame {
  /** The function as a stack trace names it: `loadUser`, `Service.load`, `<anonymous>`. */
  readonly fn: string;
  readonly file: string | null;
  /** `null` (with `column`) when the task moved on while the stacks were taken. */
  readonly line: number | null;
  readonly column: number | null;
  /**
   * On the frame suspended at `await Promise.all(…)` (or `allSettled`, `any`, `race`): the stack
   * of each branch it awaits, innermost frame first.
   */
  readonly awaits?: { readonly combinator: StackCombinator; readonly branches: readonly (readonly StackFrame[])[] };
}

/** The promise combinators whose branches a stack shows. */
export type StackCombinator = 'Promise.all' | 'Promise.allSettled' | 'Promise.any' | 'Promise.race';

/**
 * Why a task's stack is empty or incomplete:
 * - `queued` — it waits for a concurrency slot; its function has not started.
 * - `starting` — its function is about to be called.
 * - `joining` — its function has returned; it waits for its children.
 * - `no-async-frame` — no async function of its is suspended: its function returned a promise of
 *   another kind (`sleep()`, `waitFor()`, a `new Promise`, a native call) that it waits on.
 * - `never-settles` — what it awaits can never settle: nothing references the promise's resolving
 *   functions any more (and no native code holds it). The frames (if any) show where it waits.
 * - `moved-on` — it resumed or settled while the stacks were taken; frames it had left have `line: null`.
 * - `not-found` — the heap did not show what it waits on (a promise subclass, or code the probe does not follow).
 */
export type StackReason = 'queued' | 'starting' | 'joining' | 'no-async-frame' | 'never-settles' | 'moved-on' | 'not-found';

/** How taking the stacks went: what it cost the process, measured there. */
export interface StacksInfo {
  /** Epoch milliseconds when the heap snapshot was taken. */
  readonly takenAt: number;
  /** From the request to the answer (ms). */
  readonly totalMs: number;
  /** The longest single stop of the process's main thread (ms): usually the heap snapshot itself. */
  readonly longestStopMs: number;
  /** Every stop of the main thread added up (ms). */
  readonly stoppedMs: number;
  /** Nodes of the heap snapshot, and the heap's size when the probe began (bytes). */
  readonly heapNodes: number;
  readonly heapBytes: number;
  /**
   * Where the time went (ms): `queries` (V8 listing the heap's promises and functions, stopping
   * the process), `snapshot` (the heap snapshot, stopping it while it is written), `analysis`
   * (reading the snapshot, in another thread), `walks` (V8's async stack walks, on the main thread).
   */
  readonly phases: { readonly queries: number; readonly snapshot: number; readonly analysis: number; readonly walks: number };
}

/** One live task. */
export interface TaskInfo {
  readonly id: string;
  readonly name: string;
  /** Ancestors' names and its own, joined with ` › `. */
  readonly path: string;
  /** The task that owns the group this task was spawned into; `null` for a root task. */
  readonly parentId: string | null;
  /** The name of the group it was spawned into. */
  readonly group: string;
  /**
   * The group it was spawned into when that group was named (`TaskGroup.run('request#3', …)`,
   * `new TaskGroup('background')`): a level of its own in `path` and in `pstree`. `null` for a
   * task's own scope (`spawn()` inside a task), run()'s group and unnamed groups.
   */
  readonly namedGroup: string | null;
  readonly state: 'queued' | 'running';
  readonly daemon: boolean;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  readonly ageMs: number;
  readonly waitingOn: WaitInfo | null;
  /** Ids of live tasks currently awaiting this one. */
  readonly awaitedBy: readonly string[];
  /** Set once cancellation was requested; the task may still be running (cancellation is cooperative). */
  readonly cancelled: (CancelInfo & { readonly forMs: number }) | null;
  readonly attributes: Readonly<Record<string, string | number | boolean>> | null;
  /** Debug mode only: where the task was spawned, innermost frame first. */
  readonly createdAtSite: readonly string[] | null;
  /** Debug mode only: where the task last awaited another task, innermost frame first. */
  readonly awaitSite: readonly string[] | null;
  /**
   * Where the task is suspended: its chain of suspended async functions, innermost first, ending
   * with the task's own function; tasktree's own frames removed. `null` unless the stacks were asked
   * for (`captureSnapshot({ stacks: true })`, `--stacks`); empty, with `stackReason`, when there is none.
   */
  readonly stack: readonly StackFrame[] | null;
  /** Why `stack` is empty or has frames without a line; `null` otherwise. */
  readonly stackReason: StackReason | null;
}

/** One recently finished task, from the bounded history. */
export interface FinishedInfo {
  readonly id: string;
  readonly name: string;
  readonly path: string;
  readonly parentId: string | null;
  readonly outcome: 'fulfilled' | 'rejected' | 'cancelled';
  readonly createdAt: number;
  readonly settledAt: number;
  readonly durationMs: number;
  /** `Name: message` of the error, for rejected tasks. */
  readonly error: string | null;
  readonly cancelled: CancelInfo | null;
}

/** Every live task of a process, plus its recently finished ones. */
export interface Snapshot {
  readonly formatVersion: 1;
  readonly pid: number;
  readonly node: string;
  /** Epoch milliseconds. */
  readonly capturedAt: number;
  /** Live tasks in depth-first order: every parent before its children, siblings by age. */
  readonly tasks: readonly TaskInfo[];
  /** Oldest first. */
  readonly finished: readonly FinishedInfo[];
  /** How taking the stacks went, when they were asked for; `null` otherwise. */
  readonly stacks: StacksInfo | null;
}
