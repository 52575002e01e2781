/**
 * What `tasktree ui` sends its page: a versioned JSON shape (`uiFormatVersion: 1`). The CLI
 * process builds it (src/cli/ui/); the page (src/ui/page/) only renders it. Types only: this file
 * is shared by the Node side and the browser side and emits no code.
 *
 * `GET /api/state?after=REVISION[&timeline=1]` answers with a {@link UiState} once the state is
 * newer than `REVISION` (long poll, at most ≈20 s, then the same revision again). Replaying a
 * recording (`tasktree ui --open FILE`), `&at=EPOCH_MS` asks for the state at that time, at once.
 */
import type { CancelInfo, CancelOrigin, FinishedInfo, Snapshot, StackFrame, StackReason, TaskInfo } from '../inspect/schema.js';

export type { CancelInfo, CancelOrigin, FinishedInfo, Snapshot, StackFrame, StackReason, TaskInfo };

/** The version of {@link UiState}. */
export type UiFormatVersion = 1;

/** A live task as the page reads it. */
export type PageTask = TaskInfo;

/** How the CLI sees the target process. */
export type TargetStatusKind =
  /** No answer yet (the first connection is being made). */
  | 'connecting'
  /** The last request was answered. */
  | 'live'
  /** The last request timed out: over the monitor socket, the event loop is blocked (or the process stopped). */
  | 'not-answering'
  /** The process is gone; the page keeps its last snapshot. */
  | 'exited'
  /** No process: a flight recording replayed (`tasktree ui --open FILE`). */
  | 'replay'
  /** The target answered with an error, or the connection failed for another reason. */
  | 'error';

export interface TargetStatus {
  readonly pid: number;
  readonly status: TargetStatusKind;
  /** The transport in use (or last used); `null` before the first connection. */
  readonly transport: 'socket' | 'inspector' | null;
  /** One sentence for a person: what is going on, and what it means. */
  readonly message: string;
  /** Epoch ms when this status began. */
  readonly since: number;
  /** Epoch ms of the last answer, `null` before the first. */
  readonly lastAnswerAt: number | null;
  /** A request to the target has been outstanding this long (ms), or `null`. */
  readonly pendingForMs: number | null;
}

/** What the CLI measured for the last snapshot it read. */
export interface PollStats {
  /** Request to answer, in ms (the target's capture, the transport, and parsing its JSON). */
  readonly fetchMs: number;
  /** Serialising the page's state, in ms (measured on the previous revision). */
  readonly serializeMs: number;
  /** Size of the page's state, in bytes (previous revision). */
  readonly stateBytes: number;
}

/** A cancellation asked for from the page, and what became of it. */
export interface CancelAction {
  /** Increasing number, per CLI process. */
  readonly seq: number;
  readonly taskId: string;
  readonly name: string;
  readonly path: string;
  readonly reason: string;
  /** Epoch ms when the page asked. */
  readonly requestedAt: number;
  /**
   * `failed`: the target refused it (see `error`); `requested`: the target accepted it, the task is
   * still running (cancellation is cooperative); `settled`: the task finished (see `outcome`);
   * `gone`: the task left the snapshot without an entry in the history.
   */
  readonly status: 'failed' | 'requested' | 'settled' | 'gone';
  readonly error: string | null;
  /** Once settled: how it ended (a task that completes after the request keeps its value). */
  readonly outcome: FinishedInfo['outcome'] | null;
  /** Epoch ms when it settled, or when it was last seen running. */
  readonly at: number | null;
}

/** A span of one lane: what the task was doing from `from` to `to` (ms after {@link Timeline.start}). */
export type Span = readonly [state: 'queued' | 'running' | 'waiting', from: number, to: number, label: string | null];

/** One lane of the timeline: one task. */
export interface Lane {
  readonly id: string;
  readonly name: string;
  readonly parentId: string | null;
  /** Epoch ms. */
  readonly createdAt: number;
  /** Epoch ms, `null` while live. */
  readonly settledAt: number | null;
  /** `gone`: it left without an entry in the history (the history was full). */
  readonly outcome: FinishedInfo['outcome'] | 'gone' | null;
  /** Set once cancellation was requested. */
  readonly cancelRequestedAt: number | null;
  /** In time order, clipped to the window; ms after `start`. */
  readonly spans: readonly Span[];
}

/** The last minute of every task's life, one lane per task. */
export interface Timeline {
  /**
   * `snapshots`: built by the CLI from the snapshots it polls — creation, settling and the start of
   * each wait are exact; a start after a queue and the end of a wait are known to within
   * `resolutionMs`. A flight recorder's events would be exact (`recorder`).
   */
  readonly source: 'snapshots' | 'recorder';
  readonly resolutionMs: number;
  /** Epoch ms since when events are seen (the first snapshot read): before it, only what snapshots tell of the past. */
  readonly observedSince: number | null;
  /** Epoch ms of the window's start and end (the end is the latest snapshot's time). */
  readonly start: number;
  readonly end: number;
  /** Lanes in order of creation. */
  readonly lanes: readonly Lane[];
  /** Lanes left out to keep the payload bounded (the oldest finished ones go first). */
  readonly omitted: number;
}

/** What is replayed (`tasktree ui --open FILE`): the recording's span, and the time shown. */
export interface ReplayInfo {
  /** The file, as given. */
  readonly file: string;
  /** Epoch ms: the first and last times the slider reaches (complete events from `start` on). */
  readonly start: number;
  readonly end: number;
  /** Epoch ms: the time the state shows. */
  readonly at: number;
  readonly events: number;
  /** Events the recorder's ring dropped before the recording was read (the oldest). */
  readonly dropped: number;
  readonly reason: 'read' | 'stop' | 'crash';
}

/** Everything the page shows, in one JSON document. */
export interface UiState {
  readonly uiFormatVersion: UiFormatVersion;
  /** Bumped on every change; pass it back as `after` to wait for the next one. */
  readonly revision: number;
  /** Epoch ms when this state was built. */
  readonly serverTime: number;
  /** How often the CLI reads the target, in ms. */
  readonly intervalMs: number;
  readonly target: TargetStatus;
  /** The latest snapshot the target answered with, `null` before the first. */
  readonly snapshot: Snapshot | null;
  /** Awaited-by cycles in `snapshot` (each a list of task ids), as `tasktree pstree` prints them. */
  readonly deadlocks: readonly (readonly string[])[];
  readonly actions: readonly CancelAction[];
  /** Only when asked for (`timeline=1`). */
  readonly timeline: Timeline | null;
  readonly stats: PollStats | null;
  /** Set when a recording is replayed (no process is read); `null` live. */
  readonly replay: ReplayInfo | null;
}

/** What `POST /api/cancel` takes. */
export interface CancelRequest {
  readonly task: string;
  readonly reason?: string;
}

/** What every refused request answers (with a 4xx or 5xx status). */
export interface ErrorAnswer {
  readonly error: { readonly code: string; readonly message: string };
}
