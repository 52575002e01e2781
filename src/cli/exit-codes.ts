/** Every exit code of the `tasktree` binary, and the error that carries one. */

/** The exit codes, one per kind of outcome. Listed in `tasktree --help`. */
export const ExitCode = {
  ok: 0,
  /** An unexpected failure, or an error answer other than the ones below. */
  internal: 1,
  usage: 2,
  noSuchProcess: 3,
  permissionDenied: 4,
  notNode: 5,
  /** The process runs Node but not tasktree (or, with `--transport socket`, has no monitor). */
  notLoaded: 6,
  timedOut: 7,
  /** No task matches TASK (live or recently finished), or several do (they are listed). */
  unknownTask: 8,
  /** The inspector port of the process is held by another process. */
  portInUse: 9,
  /** `cancel`: the task was still running when `--wait` ran out (it may be ignoring its signal). */
  stillRunning: 10,
  /** The monitor socket refused the connection: it already serves as many as it takes. */
  monitorBusy: 11,
  /** `--stacks`: the process refused to take them (its heap is over the limit; see --force). */
  stacksRefused: 12,
  /** The process's tasktree is older than this CLI and cannot do what was asked (`record`). */
  tooOld: 13,
  /** `record`: the recording could not be written (the file's directory is missing or not writable). */
  cannotWrite: 14,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit codes with one line each, for `--help`. */
export const EXIT_CODE_HELP: ReadonlyArray<readonly [ExitCodeValue, string]> = [
  [ExitCode.ok, 'success'],
  [ExitCode.internal, 'unexpected error'],
  [ExitCode.usage, 'usage error (bad command, option or argument)'],
  [ExitCode.noSuchProcess, 'no process with that pid (or it exited)'],
  [ExitCode.permissionDenied, 'permission denied (the process belongs to another user)'],
  [ExitCode.notNode, 'the process is not a Node process (no signal is sent to it)'],
  [ExitCode.notLoaded, 'tasktree is not loaded in the process (or, with --transport socket, no monitor)'],
  [ExitCode.timedOut, 'timed out (see --timeout)'],
  [ExitCode.unknownTask, 'no task matches TASK, or several do (they are listed)'],
  [ExitCode.portInUse, "another process holds the process's inspector port"],
  [ExitCode.stillRunning, 'cancel: the task is still running after its cancellation (see --wait)'],
  [ExitCode.monitorBusy, 'the monitor socket refused the connection (too many open); try again'],
  [ExitCode.stacksRefused, 'the stacks were refused: the heap is over the limit (see --force, --max-heap)'],
  [ExitCode.tooOld, "the process's tasktree is older than this CLI and cannot do it (record)"],
  [ExitCode.cannotWrite, 'record: the recording cannot be written to --out FILE'],
];

/** A failure the CLI reports as one line on stderr (`tasktree: message`) and an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
