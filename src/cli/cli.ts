/**
 * The `tasktree` binary: `ps`, `pstree`, `where`, `cancel`, `watch`, `record` and `ui` against a live Node process.
 * Dependency-free: argv is parsed by hand (args.ts), the agent is reached over the monitor socket or
 * Node's inspector (transport.ts), and snapshots are rendered here with the library's formatters.
 */
import { readFileSync } from 'node:fs';
import { DEFAULT_CANCEL_WAIT_MS, DEFAULT_INTERVAL_MS, DEFAULT_TIMEOUT_MS, parseArgs } from './args.js';
import { SOCKET_ANSWER_MS } from './client.js';
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

/** The `--help` text; every option of args.ts's table and every exit code is in it (a test checks). */
export function help(): string {
  const codes = EXIT_CODE_HELP.map(([code, text]) => `  ${String(code).padEnd(3)}${text}`).join('\n');
  return `Usage: tasktree <command> PID [options]

Look into a live Node process that uses tasktree.

Commands:
  ps PID [--stacks] [FILTERS]
                            one row per live task: id, name, state, age, waiting on, awaited by,
                            attributes, path (and with --stacks: its stack, innermost first)
  pstree PID [--stacks] [--expand] [FILTERS]
                            the task tree (--expand: do not collapse identical siblings); with
                            --stacks each task's suspended functions hang under it with file:line
  where PID TASK [--no-stacks]
                            everything known about one task, with where it is suspended (every
                            frame, file:line:col); --no-stacks skips taking the stacks
  cancel PID TASK [--reason TEXT] [--wait MS]
                            request cancellation of one task (cooperative: it stops at its next
                            await), then wait up to MS milliseconds (default ${DEFAULT_CANCEL_WAIT_MS}; 0: do not wait)
                            and say whether it ended, and how, or is still running (exit ${ExitCode.stillRunning})
  watch PID [--interval MS] [--count N] [--expand] [--stacks] [FILTERS]
                            redraw the task tree every MS milliseconds (default ${DEFAULT_INTERVAL_MS}) until Ctrl-C,
                            or N times
  record PID --seconds N [--out FILE] [--capacity N]
                            switch the process's flight recorder on for N seconds (if it was
                            off; it is switched off again after), then write the recording — every
                            task's spawn, start, waits, cancellation (who asked) and end — as JSON
                            to FILE (default tasktree-PID-DATE-TIME.recording.json; - for stdout);
                            Ctrl-C stops early and still writes it. --capacity: the ring's size
                            when switching it on (default 10000 events, the latest kept)
  ui PID [--port N] [--host ADDR] [--no-open] [--interval MS]
                            a live web page of the process's tasks (tree, table, detail, cancel,
                            finished tasks, timeline), served by this command on 127.0.0.1 (or
                            ADDR) with a token; prints its address first and opens a browser
                            unless --no-open; reads the process every MS ms (default 1000);
                            runs until Ctrl-C
  ui --open FILE [--port N] [--host ADDR] [--no-open]
                            the same page replaying a recording (tasktree record, or run()'s
                            crashRecording) with a time slider; no process is read

TASK is a task id (ab12Cd.1k), the end of one (1k: the part after the dot, or any longer tail such
as Cd.1k), or a task name (lock-a), tried in that order; tasks that finished recently count too.
When several tasks match, they are listed (id, path, state) and nothing is done (exit ${ExitCode.unknownTask}).

States: queued (waiting for a concurrency slot), running, cancelling (its cancellation was
requested and it has not finished yet: it may be ignoring its signal).

Filters (ps, pstree, watch; a task must match all of them):
  --name GLOB               its name matches GLOB (* any characters, ? one; quote it in a shell)
  --state STATE             its state is STATE (queued, running or cancelling); repeat for any
                            of several
  --attr KEY=VALUE          its attribute KEY is VALUE (compared as text); repeat for several
  ps shows the matching tasks; pstree and watch also show their ancestors, marked (context).

Stacks (ps, pstree, watch with --stacks; where unless --no-stacks): where every task is suspended,
each awaiting async function with its line, found with a heap snapshot and V8's own async stack
walk. The process stops while they are taken (about a second per 60 MiB of heap; said on stderr
afterwards). A heap over the limit is refused (exit ${ExitCode.stacksRefused}) with the estimated stop, unless:
  --force                   take them even over the limit
  --max-heap MB             the limit (default 256)

Options:
  --json                    print the snapshot (ps, pstree: with filters, only the matching tasks),
                            the where result or what became of the cancelled task, as JSON
  --transport socket|inspector
                            force a transport (default: the monitor socket if the process opened
                            one, else Node's inspector)
  --timeout MS              how long to wait for the process (default ${DEFAULT_TIMEOUT_MS})
  -h, --help                show this help
  -v, --version             show the version

Transports:
  socket     the process called startMonitor() or runs with TASKTREE_MONITOR=1: a Unix socket in a
             per-user directory ($XDG_RUNTIME_DIR/tasktree or $TMPDIR/tasktree-UID). A socket that
             does not answer within ${SOCKET_ANSWER_MS} ms (a blocked event loop) gives way to the inspector,
             said on stderr; with --transport socket, that is an error (exit ${ExitCode.timedOut}).
  inspector  no code change: tasktree sends SIGUSR1 (only after checking the process is Node), reads
             the task registry through Node's inspector (it answers even while the event loop is
             blocked in JavaScript), and closes the inspector again if it was not open before. The
             inspector port comes from --inspect-port/--inspect in the process's command line or
             NODE_OPTIONS, else 9229.

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
      return await runCommand(command, {
        write: (text) => process.stdout.write(text),
        notice: (line) => process.stderr.write(`tasktree: ${line}\n`),
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
