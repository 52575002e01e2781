/**
 * `tasktree record PID --seconds N [--out FILE]`: switches the target's flight recorder on for N
 * seconds if it was off (with a lease, so that it switches itself off should this command be
 * killed), then writes the recording — to FILE, to stdout with `--out -`, or to a file named after
 * the pid and the time — and leaves the recorder as it was. Ctrl-C ends the wait early: what was
 * recorded is still written, and the recorder is still switched back off.
 */
import { accessSync, constants, existsSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { recordingFileName } from '../inspect/recording-file.js';
import type { RecorderState } from '../inspect/record-command.js';
import type { Recording } from '../inspect/recording-schema.js';
import { formatDuration, plural } from '../inspect/describe.js';
import type { Command } from './args.js';
import { AgentClient, AgentError } from './client.js';
import type { Output } from './commands.js';
import { CliError, ExitCode, type ExitCodeValue } from './exit-codes.js';

export type RecordCommand = Extract<Command, { kind: 'record' }>;

/** How long after the end of the recording the target switches its recorder off by itself. */
export const LEASE_GRACE_MS = 60_000;
/** How often the target is checked while recording (it may exit). */
const CHECK_MS = 1000;

/** Fails early (before the target is touched) when `path` cannot be written. */
export function checkWritable(path: string): void {
  const full = resolve(path);
  const fail = (why: string): never => {
    throw new CliError(`cannot write the recording to ${path}: ${why}`, ExitCode.cannotWrite);
  };
  if (existsSync(full)) {
    if (statSync(full).isDirectory()) fail('it is a directory (give a file name)');
    try {
      accessSync(full, constants.W_OK);
    } catch {
      fail('permission denied');
    }
    return;
  }
  const directory = dirname(full);
  if (!existsSync(directory)) fail(`no such directory ${directory}`);
  try {
    accessSync(directory, constants.W_OK);
  } catch {
    fail(`the directory ${directory} is not writable`);
  }
}

function tooOld(pid: number): CliError {
  return new CliError(`the tasktree in pid ${pid} is older than this CLI and has no flight recorder; update tasktree in that program`, ExitCode.tooOld);
}

async function recorderCall(client: AgentClient, options: Record<string, unknown>): Promise<unknown> {
  try {
    return await client.call('record', { options });
  } catch (error) {
    if (error instanceof AgentError && error.code === 'UNKNOWN_COMMAND') throw tooOld(client.pid);
    throw error;
  }
}

/** Waits `ms`, or less when `stop` fires; resolves whether it was stopped. */
function waitOrStop(ms: number, stop: AbortSignal): Promise<boolean> {
  return new Promise((done) => {
    if (stop.aborted) return done(true);
    const timer = setTimeout(() => {
      stop.removeEventListener('abort', onStop);
      done(false);
    }, ms);
    const onStop = (): void => {
      clearTimeout(timer);
      done(true);
    };
    stop.addEventListener('abort', onStop, { once: true });
  });
}

function summary(recording: Recording): string {
  const covered = formatDuration(Math.max(0, recording.capturedAt - recording.startedAt));
  const dropped = recording.dropped === 0 ? '' : `; the ring of ${recording.capacity.toLocaleString('en-US')} dropped the oldest ${recording.dropped.toLocaleString('en-US')}`;
  return `${plural(recording.events.length, 'event')} of ${plural(recording.tasks.length, 'task')} over ${covered}${dropped}`;
}

export async function record(command: RecordCommand, out: Output): Promise<ExitCodeValue> {
  const started = new Date();
  const path = command.out === '-' ? null : (command.out ?? recordingFileName(command.pid, started));
  if (path !== null) checkWritable(path);

  const stop = new AbortController();
  let signals = 0;
  const onSignal = (): void => {
    // A second Ctrl-C gives up at once; the target's lease switches its recorder off.
    if (++signals > 1) process.exit(130);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  out.closed.addEventListener('abort', onSignal);
  try {
    const client = await AgentClient.open(command, (line) => out.notice(line));
    let recording: Recording | null;
    let interrupted = false;
    try {
      const leaseMs = Math.ceil(command.seconds * 1000) + LEASE_GRACE_MS;
      const state = (await recorderCall(client, { action: 'start', leaseMs, ...(command.capacity === null ? {} : { capacity: command.capacity }) })) as RecorderState;
      const ownsIt = state.started === true;
      out.notice(
        `recording pid ${command.pid} for ${formatDuration(command.seconds * 1000)} ` +
          (ownsIt ? '(the recorder was off: switched on until then; Ctrl-C to stop early)' : '(its recorder was on already, and stays on; Ctrl-C to stop early)'),
      );
      const end = Date.now() + command.seconds * 1000;
      for (let left = end - Date.now(); left > 0; left = end - Date.now()) {
        if (await waitOrStop(Math.min(CHECK_MS, left), stop.signal)) {
          interrupted = true;
          break;
        }
        const now = (await recorderCall(client, { action: 'status' })) as RecorderState;
        if (!now.recording) throw new CliError(`the flight recorder of pid ${command.pid} was switched off by the program while recording; nothing to write`, ExitCode.internal);
      }
      recording = (await recorderCall(client, { action: ownsIt ? 'stop' : 'read' })) as Recording | null;
    } catch (error) {
      if (error instanceof CliError && error.exitCode === ExitCode.noSuchProcess) {
        throw new CliError(`pid ${command.pid} exited while it was being recorded; nothing could be read (run() with crashRecording writes its own recording on a crash)`, ExitCode.noSuchProcess);
      }
      throw error;
    } finally {
      await client.close();
    }
    if (recording === null || recording.recordingVersion !== 1) {
      throw new CliError(`pid ${command.pid} sent no recording (its recorder was switched off meanwhile)`, ExitCode.internal);
    }
    const json = `${JSON.stringify(recording)}\n`;
    const how = interrupted ? ' (stopped early)' : '';
    if (path === null) {
      out.write(json);
      out.notice(`recorded ${summary(recording)}${how}`);
    } else {
      try {
        writeFileSync(path, json);
      } catch (error) {
        if (existsSync(path) && statSync(path).size === 0) unlinkSync(path);
        throw new CliError(`cannot write the recording to ${path}: ${(error as Error).message}`, ExitCode.cannotWrite);
      }
      out.write(`tasktree record: wrote ${path}: ${summary(recording)}${how}; open it with tasktree ui --open ${path}\n`);
    }
    return ExitCode.ok;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    out.closed.removeEventListener('abort', onSignal);
  }
}
