import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseArgs } from '../../../src/cli/args.js';
import { CliError, ExitCode } from '../../../src/cli/exit-codes.js';

function usageError(argv: string[], message: RegExp): void {
  assert.throws(
    () => parseArgs(argv),
    (error: unknown) => error instanceof CliError && error.exitCode === ExitCode.usage && message.test(error.message),
    `${argv.join(' ')} should fail with ${message}`,
  );
}

describe('tasktree ui arguments', () => {
  it('defaults to loopback, any free port, a browser, one read a second and a 5 s timeout', () => {
    assert.deepEqual(parseArgs(['ui', '42']), {
      kind: 'ui',
      pid: 42,
      transport: null,
      timeoutMs: 5000,
      port: 0,
      host: '127.0.0.1',
      open: true,
      intervalMs: 1000,
      replay: null,
    });
  });

  it('takes every option anywhere, as --name value or --name=value', () => {
    assert.deepEqual(parseArgs(['--no-open', 'ui', '--port=8123', '7', '--host', '0.0.0.0', '--transport', 'inspector', '--interval', '250', '--timeout=900']), {
      kind: 'ui',
      pid: 7,
      transport: 'inspector',
      timeoutMs: 900,
      port: 8123,
      host: '0.0.0.0',
      open: false,
      intervalMs: 250,
      replay: null,
    });
  });

  it('replays a recording with --open FILE, without a PID', () => {
    assert.deepEqual(parseArgs(['ui', '--open', 'run.json', '--no-open', '--port', '8123']), {
      kind: 'ui',
      pid: 0,
      transport: null,
      timeoutMs: 5000,
      port: 8123,
      host: '127.0.0.1',
      open: false,
      intervalMs: 1000,
      replay: 'run.json',
    });
    usageError(['ui', '42', '--open', 'run.json'], /ui --open FILE replays a recording and reads no process: unexpected argument "42"/);
    usageError(['ui', '--open', 'run.json', '--transport', 'socket'], /ui --open FILE does not take --transport: it reads no process/);
    usageError(['ui', '--open', ''], /--open expects a recording file/);
    usageError(['ps', '1', '--open', 'run.json'], /ps does not take --open/);
  });

  it('takes --help and --version like every command, and its options only for ui', () => {
    assert.deepEqual(parseArgs(['ui', '--help']), { kind: 'help' });
    assert.deepEqual(parseArgs(['ui', '--version']), { kind: 'version' });
    usageError(['ps', '1', '--port', '80'], /ps does not take --port/);
  });

  it('says what is wrong with bad input', () => {
    usageError(['ui'], /ui needs PID/);
    usageError(['ui', '1', '2'], /unexpected argument "2" for ui/);
    usageError(['ui', 'abc'], /PID must be a positive integer, got "abc"/);
    usageError(['ui', '1', '--port', '70000'], /--port expects an integer from 0 to 65535, got "70000"/);
    usageError(['ui', '1', '--interval', '5'], /--interval expects an integer from 100/);
    usageError(['ui', '1', '--transport', 'pigeon'], /--transport expects socket or inspector/);
    usageError(['ui', '1', '--host', ''], /--host expects an address or host name/);
    usageError(['ui', '1', '--host', 'a/b'], /--host expects an address or host name/);
    usageError(['ui', '1', '--json'], /ui does not take --json/);
    usageError(['ui', '1', '--port'], /--port needs a value/);
    usageError(['ui', '1', '--no-open=yes'], /--no-open takes no value/);
  });

  it('is listed among the commands when the command is unknown', () => {
    usageError(['uii', '1'], /expected ps, pstree, where, cancel, watch, record or ui/);
  });
});
