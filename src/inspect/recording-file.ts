/** The default name of a recording's file: shared by `tasktree record` and run()'s crash recording. */

/** `tasktree-PID-20260102-030405.recording.json`. */
export function recordingFileName(pid: number, at: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `tasktree-${pid}-${at.getFullYear()}${two(at.getMonth() + 1)}${two(at.getDate())}-${two(at.getHours())}${two(at.getMinutes())}${two(at.getSeconds())}.recording.json`;
}
