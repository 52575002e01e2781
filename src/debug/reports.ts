/** The reports debug mode makes, as plain data. Every report has a one-paragraph `message`. */

/** A frame list of a site, innermost first, as `fn (file:line:col)` relative to the working directory. */
export type Site = readonly string[];

/** The event loop was blocked longer than `slowMs`. */
export interface BlockedReport {
  readonly kind: 'blocked';
  readonly message: string;
  /** How long the loop was blocked (measured on the main thread, ± a few ms). */
  readonly durationMs: number;
  /** The path of the task that was running, `null` if the code ran outside any task or was not seen. */
  readonly task: string | null;
  readonly taskId: string | null;
  /** `file:line` of the innermost user frame of the blocking code, `null` if not seen. */
  readonly where: string | null;
  /** The user frames of the blocking code. */
  readonly stack: Site;
}

/** A promise created inside a task rejected and nobody handled it. */
export interface UnhandledRejectionReport {
  readonly kind: 'unhandled-rejection';
  readonly message: string;
  readonly task: string | null;
  readonly taskId: string | null;
  readonly reason: unknown;
  /** Where the promise (or the chain it belongs to) was created, when known. */
  readonly createdAt: Site | null;
}

/** A task settled while a promise it created was pending and never awaited nor handled. */
export interface NeverAwaitedReport {
  readonly kind: 'never-awaited';
  readonly message: string;
  readonly task: string;
  readonly taskId: string;
  readonly createdAt: Site;
}

/** One task in a {@link LeakReport}. */
export interface LeakedTask {
  readonly id: string;
  readonly path: string;
  readonly state: string;
  /** `waiting on sleep 60000 ms for 1.2 s`, or `null`. */
  readonly waitingOn: string | null;
  readonly createdAt: Site | null;
}

/** Tasks still alive when `run()` ended or the process exited. */
export interface LeakReport {
  readonly kind: 'leak';
  readonly message: string;
  readonly when: 'run-end' | 'exit';
  readonly tasks: readonly LeakedTask[];
}

/** A task kept running longer than `ignoredCancelMs` after it was cancelled. */
export interface IgnoredCancelReport {
  readonly kind: 'ignored-cancel';
  readonly message: string;
  readonly task: string;
  readonly taskId: string;
  /** How long ago the cancellation was requested. */
  readonly forMs: number;
  /** Who cancelled it and why. */
  readonly reason: string;
  readonly createdAt: Site | null;
}

/** A task's function returned and left a group it created open, with live tasks the task waits for. */
export interface OpenGroupReport {
  readonly kind: 'open-group';
  readonly message: string;
  /** The task's path. */
  readonly task: string;
  readonly taskId: string;
  /** The group's name. */
  readonly group: string;
  /** The paths of the group's live tasks. */
  readonly tasks: readonly string[];
  /** Where the task was created. */
  readonly createdAt: Site | null;
}

export type DebugReport = BlockedReport | UnhandledRejectionReport | NeverAwaitedReport | LeakReport | IgnoredCancelReport | OpenGroupReport;

/** @internal The warning code of each kind, as `process.emitWarning` shows it: `[TASKTREE_BLOCKED]`. */
export const WARNING_CODES: { readonly [K in DebugReport['kind']]: string } = {
  blocked: 'TASKTREE_BLOCKED',
  'unhandled-rejection': 'TASKTREE_UNHANDLED_REJECTION',
  'never-awaited': 'TASKTREE_NEVER_AWAITED',
  leak: 'TASKTREE_LEAK',
  'ignored-cancel': 'TASKTREE_IGNORED_CANCEL',
  'open-group': 'TASKTREE_OPEN_GROUP',
};
