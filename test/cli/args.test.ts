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
    assert.deepEqual(parseArgs(['ps', '123']), { kind: 'ps', pid: 123, transport: null, timeoutMs: 5000, json: false, filter: {} });
  });

  it('accepts options anywhere, as --name value or --name=value', () => {
    assert.deepEqual(parseArgs(['--timeout=250', 'pstree', '--expand', '42', '--transport', 'inspector', '--json']), {
      kind: 'pstree',
      pid: 42,
      transport: 'inspector',
      timeoutMs: 250,
      json: true,
      expand: true,
      filter: {},
    });
  });

  it('parses where and cancel with a task, a reason and how long to wait', () => {
    assert.deepEqual(parseArgs(['where', '7', 'abc.1']), { kind: 'where', pid: 7, transport: null, timeoutMs: 5000, json: false, task: 'abc.1' });
    assert.deepEqual(parseArgs(['cancel', '7', 'abc.1', '--reason', 'stuck for an hour']), {
      kind: 'cancel',
      pid: 7,
      transport: null,
      timeoutMs: 5000,
      json: false,
      task: 'abc.1',
      reason: 'stuck for an hour',
      waitMs: 1000,
    });
    assert.equal((parseArgs(['cancel', '7', 'lock-a', '--wait', '0']) as { waitMs: number }).waitMs, 0);
    assert.equal((parseArgs(['cancel', '7', 'lock-a', '--wait=2500']) as { waitMs: number }).waitMs, 2500);
  });

  it('parses the filters of ps, pstree and watch; --state and --attr may be repeated', () => {
    assert.deepEqual((parseArgs(['ps', '7', '--name', 'req*', '--state', 'running', '--state=cancelling', '--attr', 'route=/a=b', '--attr', 'method=GET']) as { filter: unknown }).filter, {
      name: 'req*',
      states: ['running', 'cancelling'],
      attributes: { route: '/a=b', method: 'GET' },
    });
    assert.deepEqual((parseArgs(['watch', '7', '--attr', 'empty=']) as { filter: unknown }).filter, { attributes: { empty: '' } });
    assert.deepEqual((parseArgs(['pstree', '7', '--name', 'a', '--name', 'b']) as { filter: unknown }).filter, { name: 'b' }, 'the last --name wins');
  });

  it('rejects bad filters, naming what was expected', () => {
    usageError(['ps', '1', '--state', 'done'], /--state expects queued, running or cancelling, got "done"/);
    usageError(['ps', '1', '--attr', 'route'], /--attr expects KEY=VALUE, got "route"/);
    usageError(['ps', '1', '--attr', '=x'], /--attr expects KEY=VALUE, got "=x"/);
    usageError(['ps', '1', '--attr', 'a=1', '--attr', 'a=2'], /--attr a is given two values/);
    usageError(['ps', '1', '--name', ''], /--name expects a glob/);
    usageError(['where', '1', 'x', '--name', 'a'], /where does not take --name/);
    usageError(['cancel', '1', 'x', '--wait', '-1'], /unknown option "-1"|--wait expects an integer >= 0/);
    usageError(['cancel', '1', 'x', '--wait', 'soon'], /--wait expects an integer >= 0, got "soon"/);
    usageError(['ps', '1', '--wait', '5'], /ps does not take --wait/);
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
      filter: {},
    });
  });

  it('treats everything after -- as arguments', () => {
    assert.deepEqual(parseArgs(['where', '7', '--', '--odd-id']), { kind: 'where', pid: 7, transport: null, timeoutMs: 5000, json: false, task: '--odd-id' });
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
    usageError(['where', '1'], /where needs PID TASK/);
    usageError(['where', '1', ''], /TASK must not be empty: give a task id, the end of one, or a task name/);
    usageError(['ps', '1', '2'], /unexpected argument "2"/);
  });

  it('rejects unknown options and options the command does not take', () => {
    usageError(['ps', '1', '--bogus'], /unknown option "--bogus"/);
    usageError(['ps', '1', '--expand'], /ps does not take --expand/);
    usageError(['watch', '1', '--json'], /watch does not take --json/);
    usageError(['ps', '1', '--reason', 'x'], /ps does not take --reason/);
  });

  it('rejects bad option values', () => {
    usageError(['ps', '1', '--timeout'], /--timeout needs a value \(MS\)/);
    usageError(['ps', '1', '--timeout', '5s'], /--timeout expects an integer >= 1, got "5s"/);
    usageError(['ps', '1', '--transport', 'carrier-pigeon'], /--transport expects socket or inspector/);
    usageError(['watch', '1', '--count', '0'], /--count expects an integer >= 1/);
    usageError(['ps', '1', '--json=yes'], /--json takes no value/);
  });
});
