/**
 * The flight recorder's recording, `recordingVersion: 1`: frozen plain data, written as JSON by
 * `tasktree record PID` and by `run()` on a crash, replayed by `tasktree ui --open FILE`.
 *
 * A recording holds, in order, the lifecycle events the recorder kept (its ring holds the latest
 * `capacity`), every task those events name — with its name, path, parent and creation time, so
 * that the recording alone can be replayed — and what the tasks alive when the recording began
 * were doing then. Times are epoch milliseconds on the process's monotonic clock, as in a
 * snapshot: `performance.timeOrigin` plus whole milliseconds, so several events share a time;
 * `seq` orders them.
 */
import type { CancelInfo, FinishedInfo, TaskInfo } from './schema.js';

/** What a task waited on, in an event (a snapshot's `WaitInfo` without its `forMs`). */
export type RecordedWait =
  | {
      readonly kind: 'task';
      readonly taskIds: readonly string[];
      /** `false` when tasktree saw that the task may go on another way (see `WaitInfo`). */
      readonly exclusive: boolean;
      /** A blocked `group.whenBelow(n)`: the ids are the group's tasks at that moment. */
      readonly below?: { readonly group: string; readonly n: number };
    }
  | { readonly kind: 'group'; readonly group: string }
  | { readonly kind: 'sleep'; readonly ms: number }
  | { readonly kind: 'promise'; readonly label: string };

/** What every event of a recording has. */
export interface RecordedEventBase {
  /** The event's number since the recorder was switched on: 0, 1, 2, … (gaps: events the ring dropped). */
  readonly seq: number;
  /** Epoch milliseconds. */
  readonly at: number;
  /** The task's id (see the recording's `tasks`). */
  readonly id: string;
}

/**
 * One step of a task's life:
 * - `spawn` — created; `queued` when it waits for a `concurrency` slot.
 * - `start` — its function is called.
 * - `wait` — it began waiting on `on` (ends any wait before it).
 * - `resume` — its wait ended: what it waited on settled or ended, or its cancellation interrupted it.
 * - `cancel` — its cancellation was requested: why, and who asked (`cancelled.by`).
 * - `settle` — it settled with `outcome` (`error` for a rejection, `cancelled` for a cancellation).
 */
export type RecordedEvent =
  | (RecordedEventBase & { readonly type: 'spawn'; readonly queued: boolean })
  | (RecordedEventBase & { readonly type: 'start' })
  | (RecordedEventBase & { readonly type: 'wait'; readonly on: RecordedWait })
  | (RecordedEventBase & { readonly type: 'resume' })
  | (RecordedEventBase & { readonly type: 'cancel'; readonly cancelled: CancelInfo })
  | (RecordedEventBase & {
      readonly type: 'settle';
      readonly outcome: FinishedInfo['outcome'];
      readonly error: string | null;
      readonly cancelled: CancelInfo | null;
    });

export type RecordedEventType = RecordedEvent['type'];

/**
 * A task named in a recording: what does not change over its life, as a snapshot's `TaskInfo` has
 * it. From the task itself while the process still knows it (live, or in its history); when it
 * does not, from its first event kept: `createdAt` is that event's (exact when it is the `spawn`),
 * `daemon` is known only from a kept `spawn`, and `attributes` is `null`.
 */
export type RecordedTask = Pick<TaskInfo, 'id' | 'name' | 'path' | 'parentId' | 'group' | 'namedGroup' | 'daemon' | 'attributes' | 'createdAt'>;

/** What a task alive when the recording began was doing then. */
export interface InitialTask {
  readonly id: string;
  readonly state: 'queued' | 'running';
  /** Its wait then, and since when (epoch ms); `null` when it waited on nothing tasktree sees. */
  readonly waitingOn: (RecordedWait & { readonly since: number }) | null;
  /** Its cancellation, when it had been requested by then. */
  readonly cancelled: CancelInfo | null;
}

/** A flight recording. */
export interface Recording {
  readonly recordingVersion: 1;
  readonly pid: number;
  readonly node: string;
  /** When the recorder was switched on (epoch ms). */
  readonly startedAt: number;
  /** When this recording was read (epoch ms): the end of what it covers. */
  readonly capturedAt: number;
  /**
   * Since when the events are complete (epoch ms): `startedAt`, or, once the ring dropped events,
   * the time of the oldest event kept. Before it, only `initial` and the tasks' creation are known.
   */
  readonly completeSince: number;
  /** How many events the ring keeps. */
  readonly capacity: number;
  /** Events recorded since `startedAt`; `dropped` of them were overwritten by newer ones. */
  readonly recorded: number;
  readonly dropped: number;
  /** Why it was written: `read` (asked for), `stop` (the recorder was switched off), `crash` (an uncaught exception). */
  readonly reason: 'read' | 'stop' | 'crash';
  /** Every task the events or `initial` name, in order of creation. */
  readonly tasks: readonly RecordedTask[];
  /** The tasks alive when the recording began (from the recorder's start; empty when the ring dropped events). */
  readonly initial: readonly InitialTask[];
  /** Oldest first. */
  readonly events: readonly RecordedEvent[];
}
