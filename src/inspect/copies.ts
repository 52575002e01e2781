// Two copies of tasktree in one process (two versions in an npm tree, or a linked workspace) keep
// two registries: each sees only its own tasks, and the CLI, the dump signal and the monitor
// serve the copy that loaded first (its agent is the one on globalThis). They do not cooperate yet; each copy records itself on a
// process-global list, and the second one to load says so once, on stderr, with both places.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The key of the list of loaded copies on `globalThis`, shared by every copy. */
const COPIES_KEY = Symbol.for('tasktree.copies');

interface Copy {
  readonly version: string;
  /** The package's directory. */
  readonly dir: string;
}

const here = new URL('../../../', import.meta.url);

function thisCopy(): Copy {
  let version = 'unknown';
  try {
    const pkg = JSON.parse(readFileSync(new URL('package.json', here), 'utf8')) as { version?: unknown };
    if (typeof pkg.version === 'string') version = pkg.version;
  } catch {
    // A copy without its package.json (bundled): its version is unknown.
  }
  return { version, dir: fileURLToPath(here).replace(/\/$/, '') };
}

/**
 * @internal Records this copy on the process-global list; when another copy loaded before, warns
 * once per process (`TASKTREE_DUPLICATE`). Returns the copies loaded so far, this one last.
 */
export function registerCopy(): readonly Copy[] {
  const holder = globalThis as unknown as Record<symbol, { copies: Copy[]; warned: boolean } | undefined>;
  let list = holder[COPIES_KEY];
  if (list === undefined) {
    list = { copies: [], warned: false };
    Object.defineProperty(holder, COPIES_KEY, { value: list, enumerable: false, configurable: true, writable: false });
  }
  const copy = thisCopy();
  if (list.copies.some((c) => c.dir === copy.dir)) return list.copies;
  list.copies.push(copy);
  if (list.copies.length > 1 && !list.warned) {
    list.warned = true;
    const first = list.copies[0] as Copy;
    process.emitWarning(
      `two copies of tasktree are loaded in this process: ${first.version} at ${first.dir}, and ${copy.version} at ${copy.dir}. ` +
        `They keep separate task trees: each copy's allTasks() and dump signal show only its own tasks, and the tasktree CLI ` +
        `and the monitor socket only the first copy's. Make your dependencies share one copy (one version range, npm dedupe, ` +
        `or \`overrides\` in package.json)`,
      { type: 'TaskTreeWarning', code: 'TASKTREE_DUPLICATE' },
    );
  }
  return list.copies;
}
