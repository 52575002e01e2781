/**
 * Where monitor sockets live: one per-user directory, one `PID.sock` per process.
 *
 * The directory is `$XDG_RUNTIME_DIR/tasktree` when `XDG_RUNTIME_DIR` is set and writable, else
 * `<os.tmpdir()>/tasktree-<uid>`. It is created with mode 0700, and refused if it already exists
 * but belongs to another user or can be reached by the group or others: anyone who can connect to
 * a monitor socket can read the task tree and cancel tasks.
 */
import { accessSync, constants, lstatSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function currentUid(): number | null {
  return typeof process.getuid === 'function' ? process.getuid() : null;
}

function writableDirectory(path: string): boolean {
  try {
    accessSync(path, constants.W_OK | constants.X_OK);
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The directories a monitor socket may live in, the preferred one first: the XDG runtime
 * directory (when set and writable) and the temporary directory. Pure lookup, creates nothing.
 */
export function monitorDirectoryCandidates(): string[] {
  const uid = currentUid();
  const fallback = join(tmpdir(), uid === null ? 'tasktree' : `tasktree-${uid}`);
  const xdg = process.env['XDG_RUNTIME_DIR'];
  if (xdg !== undefined && xdg !== '' && writableDirectory(xdg)) return [join(xdg, 'tasktree'), fallback];
  return [fallback];
}

/**
 * The directory this process's monitor socket goes in (see the module comment).
 * Pure lookup: it creates nothing; {@link ensureMonitorDirectory} does.
 */
export function monitorDirectory(): string {
  // monitorDirectoryCandidates() always has at least one entry.
  return monitorDirectoryCandidates()[0] as string;
}

/** The monitor socket path of process `pid` (default: this process), in {@link monitorDirectory}. */
export function monitorSocketPath(pid: number = process.pid): string {
  return join(monitorDirectory(), `${pid}.sock`);
}

/**
 * Creates `directory` with mode 0700 if it is missing, then checks it (see
 * {@link verifyMonitorDirectory}). Returns `directory`.
 */
export function ensureMonitorDirectory(directory: string = monitorDirectory()): string {
  try {
    mkdirSync(directory, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  verifyMonitorDirectory(directory);
  return directory;
}

/**
 * Checks that `directory` is a real directory (not a symlink), owned by this user, and not
 * reachable by the group or others — so that nobody else can have put a socket in it. Throws an
 * `Error` saying what is wrong and how to fix it otherwise (the `ENOENT` error when it is missing).
 */
export function verifyMonitorDirectory(directory: string): void {
  const stat = lstatSync(directory);
  if (!stat.isDirectory()) {
    throw new Error(`tasktree monitor: ${directory} exists but is not a directory; remove it or set XDG_RUNTIME_DIR`);
  }
  const uid = currentUid();
  if (uid !== null && stat.uid !== uid) {
    throw new Error(
      `tasktree monitor: ${directory} belongs to uid ${stat.uid}, not to this user (uid ${uid}); ` +
        'refusing to put a socket there',
    );
  }
  if ((stat.mode & 0o077) !== 0) {
    const mode = (stat.mode & 0o777).toString(8).padStart(3, '0');
    throw new Error(
      `tasktree monitor: ${directory} has mode ${mode}, expected 700 (only its owner may enter it); ` +
        `fix it with: chmod 700 ${directory}`,
    );
  }
}
