/**
 * One `tasktree ui` session: the target reader, the timeline fed from its snapshots, the cancel
 * actions, and the state the page reads — numbered by revision, serialised once per revision,
 * handed to long-polling pages as soon as it changes.
 */
import { performance } from 'node:perf_hooks';
import { indexTasks } from '../../inspect/describe.js';
import { findCycles } from '../../inspect/deadlocks.js';
import type { Snapshot } from '../../inspect/schema.js';
import type { CancelAction, UiState } from '../../ui/protocol.js';
import type { Connection } from '../args.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { CancelActions } from './actions.js';
import { SnapshotEvents } from './snapshot-events.js';
import { TargetReader } from './target-reader.js';
import { Replay } from './replay.js';
import { Timeline } from './timeline.js';

/** How long a page's request for the next state waits at most (ms). */
export const LONG_POLL_MS = 20_000;

/** The default reason of a cancellation asked for from the page. */
export const DEFAULT_REASON = 'requested from tasktree ui';

export interface SessionOptions {
  readonly connection: Connection;
  readonly intervalMs: number;
}

/** What a cancel request answers: an HTTP status and a body. */
export interface CancelOutcome {
  readonly status: 200 | 404 | 409 | 502 | 503;
  readonly action: CancelAction;
}

export class UiSession {
  readonly reader: TargetReader;
  private readonly timeline: Timeline;
  private readonly events = new SnapshotEvents();
  private readonly actions = new CancelActions();
  private revision = 0;
  private lastSnapshot: Snapshot | null = null;
  private deadlocks: readonly (readonly string[])[] = [];
  private readonly cache = new Map<string, string>();
  private serializeMs = 0;
  private stateBytes = 0;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly options: SessionOptions) {
    this.timeline = new Timeline({ resolutionMs: options.intervalMs });
    this.reader = new TargetReader({ connection: options.connection, intervalMs: options.intervalMs, onChange: () => this.changed() });
  }

  /** See {@link TargetReader.start}. */
  start(): Promise<void> {
    return this.reader.start();
  }

  async stop(): Promise<void> {
    await this.reader.stop();
    for (const wake of [...this.waiters]) wake();
  }

  private changed(): void {
    const snapshot = this.reader.snapshot;
    if (snapshot !== null && snapshot !== this.lastSnapshot) {
      this.lastSnapshot = snapshot;
      this.timeline.observing(snapshot.capturedAt);
      const fromSnapshots = this.events.next(snapshot);
      const recorded = this.reader.recorded;
      if (recorded === null) {
        this.timeline.setSource('snapshots');
        this.timeline.apply(fromSnapshots);
      } else {
        // The target's recorder is on: its events are exact, and show the tasks that came and went
        // between two reads. The snapshots still bring in the tasks seen for the first time.
        this.timeline.setSource('recorder');
        this.timeline.apply(new Replay(recorded).lifecycleEvents());
        const fresh = new Set(fromSnapshots.filter((e) => e.type === 'spawn' && !this.timeline.has(e.id)).map((e) => e.id));
        this.timeline.apply(fromSnapshots.filter((e) => fresh.has(e.id)));
      }
      this.actions.update(snapshot);
      this.deadlocks = findCycles(snapshot.tasks, indexTasks(snapshot));
    }
    this.bump();
  }

  private bump(): void {
    this.revision++;
    this.cache.clear();
    for (const wake of [...this.waiters]) wake();
  }

  /** The state as JSON, once its revision is past `after` (or after {@link LONG_POLL_MS}). */
  async stateAfter(after: number, withTimeline: boolean, aborted: AbortSignal): Promise<string> {
    if (after >= this.revision) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          aborted.removeEventListener('abort', done);
          this.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, LONG_POLL_MS);
        aborted.addEventListener('abort', done);
        this.waiters.add(done);
      });
    }
    return this.stateJson(withTimeline);
  }

  /** The current state as JSON (serialised once per revision and kind). */
  stateJson(withTimeline: boolean): string {
    const key = withTimeline ? 'timeline' : 'plain';
    let json = this.cache.get(key);
    if (json === undefined) {
      const started = performance.now();
      json = JSON.stringify(this.state(withTimeline));
      this.serializeMs = performance.now() - started;
      this.stateBytes = Buffer.byteLength(json);
      this.cache.set(key, json);
    }
    return json;
  }

  /** The state the page renders. */
  state(withTimeline: boolean): UiState {
    const snapshot = this.reader.snapshot;
    const now = Date.now();
    return {
      uiFormatVersion: 1,
      revision: this.revision,
      serverTime: now,
      intervalMs: this.options.intervalMs,
      target: this.reader.status(now),
      snapshot,
      deadlocks: this.deadlocks,
      actions: this.actions.all(),
      timeline: withTimeline && snapshot !== null ? this.timeline.view(snapshot.capturedAt) : null,
      stats: snapshot === null ? null : { fetchMs: round(this.reader.fetchMs), serializeMs: round(this.serializeMs), stateBytes: this.stateBytes },
      replay: null,
    };
  }

  /** Asks the target to cancel `taskId`; the action is recorded either way. */
  async cancel(taskId: string, reason: string): Promise<CancelOutcome> {
    const known = this.reader.snapshot?.tasks.find((t) => t.id === taskId);
    const base = { taskId, name: known?.name ?? taskId, path: known?.path ?? '', reason, requestedAt: Date.now() };
    let outcome: CancelOutcome;
    try {
      const result = await this.reader.cancel(taskId, reason);
      outcome = { status: 200, action: this.actions.add({ ...base, path: result.path, error: null }) };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const code = error instanceof CliError ? error.exitCode : null;
      // No such task: 404; the target cannot be reached now: 503; it answered an error: 502.
      const status = code === ExitCode.unknownTask ? 404 : code === ExitCode.timedOut || code === ExitCode.noSuchProcess ? 503 : 502;
      outcome = { status, action: this.actions.add({ ...base, error: message }) };
    }
    this.bump();
    return outcome;
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
