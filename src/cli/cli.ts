/**
 * The `tasktree` binary: `ps`, `pstree`, `where`, `cancel`, `watch` and `ui` against a live Node process.
 * Dependency-free: argv is parsed by hand (args.ts), the agent is reached over the monitor socket or
 * Node's inspector (transport.ts), and snapshots are rendered here with the library's formatters.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from './args.js';
import { runCommand } from './commands.js';
import { CliError, EXIT_CODE_HELP, ExitCode } from './exit-codes.js';

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

function help(): string {
  const codes = EXIT_CODE_HELP.map(([code, text]) => `  ${String(code).padEnd(3)}${text}`).join('\n');
  return `Usage: tasktree <command> PID [options]

Look into a live Node process that uses tasktree.

Commands:
  ps PID                    one row per live task: id, name, path, state, age, waiting on, awaited by
  pstree PID [--expand]     the task tree (--expand: do not collapse identical siblings)
  where PID TASK_ID         everything known about one task
  cancel PID TASK_ID [--reason TEXT]
                            request cancellation of one task (cooperative: it stops at its next await)
  watch PID [--interval MS] [--count N] [--expand]
                            redraw the task tree every MS milliseconds (default 1000) until Ctrl-C,
                            or N times
  ui PID [--port N] [--host ADDR] [--no-open] [--interval MS]
                            a live web page of the process's tasks (tree, table, detail, cancel,
                            finished tasks, timeline), served by this command on 127.0.0.1 (or
                            ADDR) with a token; prints its address first and opens a browser
                            unless --no-open; reads the process every MS ms (default 1000);
                            runs until Ctrl-C

Options:
  --json                    print the snapshot (ps, pstree), the where result or the cancel result as JSON
  --transport socket|inspector
                            force a transport (default: the monitor socket if the process opened one,
                            else Node's inspector)
  --timeout MS              how long to wait for the process (default 5000)
  -h, --help                show this help
  -v, --version             show the version

Transports:
  socket     the process called startMonitor() or runs with TASKTREE_MONITOR=1: a Unix socket in a
             per-user directory ($XDG_RUNTIME_DIR/tasktree or $TMPDIR/tasktree-UID).
  inspector  no code change: tasktree sends SIGUSR1 (only after checking the process is Node), reads
             the task registry through Node's inspector, and closes the inspector again if it was
             not open before. The inspector port comes from --inspect-port/--inspect in the
             process's command line or NODE_OPTIONS, else 9229.

Exit codes:
${codes}
`;
}

/** Runs the CLI with `argv` (the arguments after `tasktree`); resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const closed = new AbortController();
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    closed.abort();
  });
  try {
    const command = parseArgs(argv);
    if (command.kind === 'help') process.stdout.write(help());
    else if (command.kind === 'version') process.stdout.write(`${version()}\n`);
    else {
      await runCommand(command, {
        write: (text) => process.stdout.write(text),
        isTTY: process.stdout.isTTY === true,
        columns: process.stdout.columns,
        rows: process.stdout.rows,
        closed: closed.signal,
      });
    }
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof CliError) {
      process.stderr.write(`tasktree: ${error.message}\n`);
      return error.exitCode;
    }
    const detailed = process.env['TASKTREE_DEBUG'] === '1' && error instanceof Error;
    const message = error instanceof Error ? ((detailed ? error.stack : undefined) ?? error.message) : String(error);
    process.stderr.write(`tasktree: unexpected error: ${message}\n`);
    return ExitCode.internal;
  }
}
