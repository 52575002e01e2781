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
}
