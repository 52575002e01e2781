/**
 * `tasktree ui --open FILE`: the page's state read from a flight recording instead of a process —
 * the snapshot and the timeline at the time the page's slider asks for (`at`). Nothing to cancel.
 */
import { readFileSync } from 'node:fs';
import type { UiState } from '../../ui/protocol.js';
import { indexTasks } from '../../inspect/describe.js';
import { findCycles } from '../../inspect/deadlocks.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { Replay, checkRecording } from './replay.js';
import type { CancelOutcome } from './session.js';
import { Timeline, type LifecycleEvent } from './timeline.js';

/** Reads and checks a recording file. @throws CliError saying what is wrong with it. */
export function loadRecording(file: string): Replay {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
    throw new CliError(`cannot open the recording ${file}: ${why}`, ExitCode.usage);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliError(`cannot open the recording ${file}: it is not JSON (${(error as Error).message})`, ExitCode.usage);
  }
  const recording = checkRecording(value);
  if (typeof recording === 'string') throw new CliError(`cannot open the recording ${file}: ${recording}`, ExitCode.usage);
  return new Replay(recording);
}

export class ReplaySession {
  private readonly events: LifecycleEvent[];
  /** Nothing to connect to, nothing to stop: a recording is read once. */
  readonly start = (): Promise<void> => Promise.resolve();
  readonly stop = (): Promise<void> => Promise.resolve();

  constructor(
    private readonly replay: Replay,
    private readonly file: string,
  ) {
    this.events = replay.lifecycleEvents();
  }

  /** Answers at once when a time is asked for (or the page has no state yet); else nothing changes. */
  async stateAfter(after: number, withTimeline: boolean, aborted: AbortSignal, at?: number): Promise<string> {
    if (at === undefined && after >= 0) {
      // A recording does not change: hold the request as a live session would, then answer the same.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 20_000);
        aborted.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
    }
    return JSON.stringify(this.state(at ?? this.replay.end, withTimeline));
  }

  state(atAsked: number, withTimeline: boolean): UiState {
    const replay = this.replay;
    const recording = replay.recording;
    const at = replay.clamp(atAsked);
    const snapshot = replay.snapshotAt(at);
    let timeline: UiState['timeline'] = null;
    if (withTimeline) {
      const view = new Timeline({ resolutionMs: 1, source: 'recorder', windowMs: Math.max(1000, at - replay.start), maxLanes: 20_000 });
      view.observing(replay.start);
      view.apply(this.events.filter((e) => e.at <= at));
      timeline = view.view(at);
    }
    return {
      uiFormatVersion: 1,
      revision: 1,
      serverTime: at,
      intervalMs: 1000,
      target: {
        pid: recording.pid,
        status: 'replay',
        transport: null,
        message: `a flight recording of pid ${recording.pid} (Node ${recording.node}), read from ${this.file}`,
        since: recording.capturedAt,
        lastAnswerAt: recording.capturedAt,
        pendingForMs: null,
      },
      snapshot,
      deadlocks: findCycles(snapshot.tasks, indexTasks(snapshot)),
      actions: [],
      timeline,
      stats: null,
      replay: {
        file: this.file,
        start: replay.start,
        end: replay.end,
        at,
        events: recording.events.length,
        dropped: recording.dropped,
        reason: recording.reason,
      },
    };
  }

  cancel(taskId: string, reason: string): Promise<CancelOutcome> {
    return Promise.resolve({
      status: 409,
      action: {
        seq: 0,
        taskId,
        name: taskId,
        path: '',
        reason,
        requestedAt: Date.now(),
        status: 'failed',
        error: 'this is a recording, replayed: there is no process to cancel a task in',
        outcome: null,
        at: null,
      },
    });
  }
}
