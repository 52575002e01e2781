/**
 * The snapshot schema, `formatVersion: 1`.
 *
 * A snapshot is frozen plain data: it can be printed, diffed, sent over a socket as JSON and
 * rendered by the pure formatters in this folder. Ids are task ids. Durations (`ageMs`, `forMs`,
 * `durationMs`) are whole milliseconds; points in time (`capturedAt`, `createdAt`, `settledAt`) are
 * epoch milliseconds, `performance.timeOrigin` plus whole milliseconds of the monotonic clock, so
 * they carry the origin's fraction (`1796148505301.193`).
 */

/**
 * What a task is waiting on, and for how long.
 *
 * - `task`: `await task`, `Promise.all`/`race` over tasks (several ids: any of them settling may end
 *   the wait), `task.then(…)`, `task.result()`, or a blocked `group.whenBelow(n)` (`below`; the ids
 *   are the group's live tasks). `exclusive` is `false` when tasktree saw that the task may go on
 *   another way: it called `then` or `result()` itself, or began another wait in the same
 *   synchronous run (`Promise.race([task, sleep(ms)])`); deadlock detection counts only exclusive
 *   waits. Absent in snapshots of older versions (read it as `true`).
 * - `group`: joining a group (leaving its scope, or a task whose function ended waiting for its
 *   children); `taskIds` are the live tasks it waits for (absent in older snapshots).
 */
export type WaitInfo =
  | {
      readonly kind: 'task';
      readonly taskIds: readonly string[];
      readonly forMs: number;
      readonly exclusive?: boolean;
      readonly below?: { readonly group: string; readonly n: number };
    }
  | { readonly kind: 'group'; readonly group: string; readonly forMs: number; readonly taskIds?: readonly string[] }
  | { readonly kind: 'sleep'; readonly ms: number; readonly forMs: number }
  | { readonly kind: 'promise'; readonly label: string; readonly forMs: number }
  | { readonly kind: 'queue'; readonly group: string; readonly forMs: number };

/** A cancellation, summarised. */
export interface CancelInfo {
  /** `explicit`, `parent-cancelled`, `sibling-failed`, `body-failed`, `timeout`, `signal` or `scope-done`. */
  readonly kind: string;
  /** One line saying who cancelled it and why. */
  readonly message: string;
  /**
   * Who asked: the source of the first cancellation of its chain (for `parent-cancelled`, what
   * cancelled the first ancestor). `null` when tasktree did not see it asked: a `CancelledError`
   * that code made and threw itself. Absent in snapshots of a tasktree older than this field.
   */
  readonly by?: CancelOrigin | null;
  /**
   * `true` on a finished task that was not itself cancelled: its function threw a cancellation
   * that was not its own — it let through the `CancelledError` of a task it awaited (or of a group
   * it ran) — and ended `cancelled`. `kind`, `message` and `by` are that cancellation's. Absent
   * otherwise.
   */
  readonly rethrown?: true;
}

/**
 * What asked for a cancellation:
 * - `task` — `task.cancel()` or `group.cancel()` was called from inside the task `task`.
 * - `outside` — `cancel()` was called outside any task (top-level code, a callback that runs
 *   outside every task's context).
 * - `cli` — `tasktree cancel PID TASK`, with the `reason` given (`--reason`), or `null`.
 * - `ui` — the Cancel control of `tasktree ui PID`, with the `reason` typed, or `null`.
 * - `process-signal` — `run()` caught the process signal `reason` (`SIGINT`, `SIGTERM`).
 * - `abort-signal` — the `AbortSignal` linked to group `group` (its `signal` option) aborted;
 *   `reason` is the signal's reason; `task` the task the group belongs to.
 * - `timeout` — the timeout of group `group` expired (`withTimeout(ms)` names its group
 *   `withTimeout(ms)`); `task` the task the group belongs to.
 * - `sibling-failed` — the task `task` failed with `reason`, in the same group.
 * - `body-failed` — the body of group `group` failed with `reason` (`task`: the task whose
 *   function it is, or that owns the group).
 * - `scope-done` — the rest of group `group` finished, so its daemon tasks stop.
 */
export type CancelSource =
  | 'task'
  | 'outside'
  | 'cli'
  | 'ui'
  | 'process-signal'
  | 'abort-signal'
  | 'timeout'
  | 'sibling-failed'
  | 'body-failed'
  | 'scope-done';

/** Who asked for a cancellation (see {@link CancelSource}). */
export interface CancelOrigin {
  readonly source: CancelSource;
  /** The task that asked, that failed, or that the group belongs to; `null` when there is none. */
  readonly task: { readonly id: string; readonly path: string } | null;
  /** The group whose timeout expired, whose signal aborted, whose body failed or whose rest finished; `null` otherwise. */
  readonly group: string | null;
  /** The reason the source gave, one line: the CLI's reason, the signal's name, the abort reason, the failed task's error; `null` if none. */
  readonly reason: string | null;
  /** One line for a person: `main › supervisor [ab.3]`, `tasktree cancel: "deploy rollback"`, `SIGTERM, caught by run()`, … */
  readonly message: string;
  /** Debug mode: where `cancel()` was called (or the linked `AbortController` aborted), innermost user frame first; `null` otherwise. */
  readonly site: readonly string[] | null;
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
   * Where the time went (ms): `queries` (V8 listing the heap's objects, stopping the process),
   * `snapshot` (the heap snapshot, stopping it while it is written), `analysis` (reading the
   * snapshot, in another thread), `walks` (V8's async stack walks, on the main thread); the first
   * three added up over the rounds.
   */
  readonly phases: { readonly queries: number; readonly snapshot: number; readonly analysis: number; readonly walks: number };
  /**
   * 1, or 2 when a task awaits a promise that other async functions await too: the stacks past
   * such a promise need a second heap query and snapshot (about twice the cost). Absent from
   * agents older than this field.
   */
  readonly rounds?: 1 | 2;
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
  /**
   * The OpenTelemetry trace and span the task is (32 and 16 hex digits): present only while
   * `instrumentTasks()` (tasktree/otel) is installed with an SDK that records the task's span.
   */
  readonly traceId?: string;
  readonly spanId?: string;
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
  /** The OpenTelemetry trace and span the task was, as for a live task (see {@link TaskInfo.traceId}). */
  readonly traceId?: string;
  readonly spanId?: string;
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
