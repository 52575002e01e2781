import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseArgs } from '../../src/cli/args.js';
import { CliError, ExitCode } from '../../src/cli/exit-codes.js';

function usageError(argv: string[], message: RegExp): void {
  assert.throws(
    () => parseArgs(argv),
    (error: unknown) => error instanceof CliError && error.exitCode === ExitCode.usage && message.test(error.message),
  );
}

describe('parseArgs', () => {
  it('parses ps with the default transport and timeout', () => {
    assert.deepEqual(parseArgs(['ps', '123']), { kind: 'ps', pid: 123, transport: null, timeoutMs: 5000, json: false });
  });

  it('accepts options anywhere, as --name value or --name=value', () => {
    assert.deepEqual(parseArgs(['--timeout=250', 'pstree', '--expand', '42', '--transport', 'inspector', '--json']), {
      kind: 'pstree',
      pid: 42,
      transport: 'inspector',
      timeoutMs: 250,
      json: true,
      expand: true,
    });
  });

  it('parses where and cancel with a task id and a reason', () => {
    assert.deepEqual(parseArgs(['where', '7', 'abc.1']), { kind: 'where', pid: 7, transport: null, timeoutMs: 5000, json: false, taskId: 'abc.1' });
    assert.deepEqual(parseArgs(['cancel', '7', 'abc.1', '--reason', 'stuck for an hour']), {
      kind: 'cancel',
      pid: 7,
      transport: null,
      timeoutMs: 5000,
      json: false,
      taskId: 'abc.1',
      reason: 'stuck for an hour',
    });
  });

  it('parses watch with its interval and count', () => {
    assert.deepEqual(parseArgs(['watch', '7', '--interval', '200', '--count', '2']), {
      kind: 'watch',
      pid: 7,
      transport: null,
      timeoutMs: 5000,
      expand: false,
      intervalMs: 200,
      count: 2,
    });
  });

  it('treats everything after -- as arguments', () => {
    assert.deepEqual(parseArgs(['where', '7', '--', '--odd-id']), { kind: 'where', pid: 7, transport: null, timeoutMs: 5000, json: false, taskId: '--odd-id' });
  });

  it('answers --help, -h, help and --version before checking anything else', () => {
    assert.deepEqual(parseArgs(['--help']), { kind: 'help' });
    assert.deepEqual(parseArgs(['ps', '-h']), { kind: 'help' });
    assert.deepEqual(parseArgs(['help']), { kind: 'help' });
    assert.deepEqual(parseArgs(['--version']), { kind: 'version' });
  });

  it('rejects a missing or unknown command', () => {
    usageError([], /missing command/);
    usageError(['top', '1'], /unknown command "top"/);
  });

  it('rejects a PID that is not a positive integer', () => {
    usageError(['ps', 'abc'], /PID must be a positive integer, got "abc"/);
    usageError(['ps', '0'], /PID must be a positive integer/);
    usageError(['ps', '-5'], /unknown option "-5"/);
  });

  it('rejects missing and extra arguments', () => {
    usageError(['ps'], /ps needs PID/);
    usageError(['where', '1'], /where needs PID TASK_ID/);
    usageError(['ps', '1', '2'], /unexpected argument "2"/);
  });

  it('rejects unknown options and options the command does not take', () => {
    usageError(['ps', '1', '--bogus'], /unknown option "--bogus"/);
    usageError(['ps', '1', '--expand'], /ps does not take --expand/);
    usageError(['watch', '1', '--json'], /watch does not take --json/);
    usageError(['ps', '1', '--reason', 'x'], /ps does not take --reason/);
  });

  it('rejects bad option values', () => {
    usageError(['ps', '1', '--timeout'], /--timeout needs a value/);
    usageError(['ps', '1', '--timeout', '5s'], /--timeout expects an integer >= 1, got "5s"/);
    usageError(['ps', '1', '--transport', 'carrier-pigeon'], /--transport expects socket or inspector/);
    usageError(['watch', '1', '--count', '0'], /--count expects an integer >= 1/);
    usageError(['ps', '1', '--json=yes'], /--json takes no value/);
  });
});
