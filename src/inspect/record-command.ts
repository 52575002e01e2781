/**
 * The agent's `record` command: the flight recorder switched on, read and off from outside the
 * process (`tasktree record PID`, `tasktree ui PID`). A start from outside may carry a lease: if
 * nobody switches the recorder off within `leaseMs` (the CLI was killed), it switches itself off.
 */
import { readRecordingAfter, recorderGeneration, recorderStatus, startRecording, stopRecording } from './recorder.js';
import type { Recording } from './recording-schema.js';

/** What `record` answers for `status` and `start`. */
export interface RecorderState {
  readonly recording: boolean;
  readonly capacity: number;
  /** Events recorded since it was switched on. */
  readonly recorded: number;
  /** `start` only: whether this request switched it on (it was off). */
  readonly started?: boolean;
}

export type RecordAction = 'status' | 'start' | 'read' | 'stop';

export interface RecordRequest {
  readonly action: RecordAction;
  readonly capacity?: number | undefined;
  /** `read`: only the events numbered after this. */
  readonly after?: number | undefined;
  /** `start`: switch it off again after this long unless stopped before (ms). */
  readonly leaseMs?: number | undefined;
}

let lease: { timer: NodeJS.Timeout; generation: number } | undefined;

function clearLease(): void {
  if (lease !== undefined) clearTimeout(lease.timer);
  lease = undefined;
}

/** Runs one `record` request; throws RangeError/TypeError for bad options. */
export function recordCommand(request: RecordRequest): RecorderState | Recording | null {
  switch (request.action) {
    case 'status':
      return recorderStatus();
    case 'start': {
      const was = recorderStatus().recording;
      if (!was) {
        startRecording(request.capacity === undefined ? undefined : { capacity: request.capacity });
        clearLease();
        if (request.leaseMs !== undefined) {
          const generation = recorderGeneration();
          const timer = setTimeout(() => {
            lease = undefined;
            if (recorderGeneration() === generation) stopRecording();
          }, request.leaseMs);
          timer.unref();
          lease = { timer, generation };
        }
      }
      return { ...recorderStatus(), started: !was };
    }
    case 'read':
      return readRecordingAfter(request.after ?? -1);
    case 'stop':
      clearLease();
      return stopRecording();
  }
}
