/**
 * `run(main, { crashRecording })`: the flight recorder on for the run, and its recording written
 * to a file when an uncaught exception ends the process. Listens on `uncaughtExceptionMonitor`,
 * which sees the exception before Node reports it and changes nothing about the crash itself.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runHooks } from '../core/internal.js';
import { isRecording, readRecordingAfter, startRecording, stopRecording } from './recorder.js';
import { recordingFileName } from './recording-file.js';

function checkOption(value: unknown): string | null {
  if (value === undefined || value === false) return null;
  if (value === true) return '';
  if (typeof value === 'string' && value !== '') return value;
  throw new TypeError(`run(main, options): expected crashRecording to be a boolean or a file path, got ${typeof value === 'string' ? '""' : `${String(value)} (${typeof value})`}`);
}

/** Writes the recording of a crash; never throws (the process is ending: say what happened). */
function writeCrash(file: string): void {
  try {
    const recording = readRecordingAfter(-1, 'crash');
    if (recording === null) return;
    const path = resolve(file === '' ? recordingFileName(process.pid, new Date()) : file);
    writeFileSync(path, `${JSON.stringify(recording)}\n`);
    process.stderr.write(
      `tasktree: the flight recording of this crash (${recording.events.length} events of ${recording.tasks.length} tasks) is in ${path}; open it with tasktree ui --open ${path}\n`,
    );
  } catch (error) {
    try {
      process.stderr.write(`tasktree: could not write the flight recording of this crash: ${error instanceof Error ? error.message : String(error)}\n`);
    } catch {
      // Nothing more can be done.
    }
  }
}

let added = false;

/** @internal Makes `run()` honour its `crashRecording` option. */
export function addCrashRecordingRunHook(): void {
  if (added) return;
  added = true;
  runHooks.push((options) => {
    const file = checkOption(options.crashRecording);
    if (file === null) return undefined;
    const owns = !isRecording();
    if (owns) startRecording();
    let written = false;
    const onCrash = (): void => {
      if (written) return;
      written = true;
      writeCrash(file);
    };
    process.on('uncaughtExceptionMonitor', onCrash);
    return {
      end: () => {
        process.off('uncaughtExceptionMonitor', onCrash);
        if (owns) stopRecording();
      },
    };
  });
}
