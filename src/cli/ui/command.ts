/**
 * `tasktree ui PID`: reads the target, serves the page on loopback, prints its address as the
 * first line of stdout, opens the browser, and runs until Ctrl-C (SIGINT) or SIGTERM; then it
 * stops the server, closes the connection to the target, and the command returns (exit 0).
 */
import type { Output } from '../commands.js';
import { CliError, ExitCode } from '../exit-codes.js';
import type { UiCommand } from './args.js';
import { loadAssets } from './assets.js';
import { openBrowser } from './open-browser.js';
import { isLoopback, newToken } from './security.js';
import { startUiServer } from './server.js';
import { ReplaySession, loadRecording } from './replay-session.js';
import { UiSession } from './session.js';

/** Where `tasktree ui` writes its notes (stderr in the CLI). */
export type Notes = (message: string) => void;

export async function runUi(command: UiCommand, out: Output, note: Notes = (m) => process.stderr.write(`tasktree ui: ${m}\n`)): Promise<void> {
  const assets = loadAssets();
  const replay = command.replay === null ? null : new ReplaySession(loadRecording(command.replay), command.replay);
  const session = replay ?? new UiSession({ connection: command, intervalMs: command.intervalMs });
  let stop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    // A second Ctrl-C while shutting down gives up waiting.
    if (++signals > 1) process.exit(signal === 'SIGINT' ? 130 : 143);
    stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await session.start();
    const server = await startUiServer({ host: command.host, port: command.port, token: newToken(), assets, session }).catch(async (error: unknown) => {
      await session.stop();
      throw listenError(command, error);
    });
    out.write(`tasktree ui: ${server.url}\n`);
    if (!isLoopback(command.host)) {
      note(
        `warning: serving on ${command.host}:${server.port}, not only loopback: anyone who can reach it and has the token ` +
          'can see every task and cancel them, over plain HTTP (unencrypted)',
      );
    }
    if (session instanceof ReplaySession) {
      const state = session.state(Number.POSITIVE_INFINITY, false);
      note(`replaying ${state.target.message}: ${state.replay?.events ?? 0} events; Ctrl-C to stop`);
    } else note(`${session.reader.status().message}; Ctrl-C to stop`);
    if (command.open) openBrowser(server.url, note);
    await stopped;
    await session.stop();
    await server.close();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function listenError(command: UiCommand, error: unknown): CliError {
  const code = (error as NodeJS.ErrnoException).code;
  const where = `${command.host}:${command.port}`;
  const why =
    code === 'EADDRINUSE'
      ? 'the port is in use (choose another with --port, or 0 for any free one)'
      : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND'
        ? 'no such address on this machine'
        : code === 'EACCES'
          ? 'permission denied (ports below 1024 need privileges)'
          : error instanceof Error
            ? error.message
            : String(error);
  return new CliError(`cannot serve on ${where}: ${why}`, ExitCode.internal);
}
