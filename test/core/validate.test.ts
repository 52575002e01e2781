import '../helpers/no-unhandled.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TaskGroup, run, spawn, withTimeout } from '../../src/index.js';

function throwsWith(fn: () => unknown, name: 'TypeError' | 'RangeError', message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof Error);
    assert.equal(e.name, name);
    assert.match(e.message, message);
    return true;
  });
}

describe('bad input', () => {
  it('a non-function fn', async () => {
    await TaskGroup.run('g', (g) => {
      throwsWith(() => g.spawn('x', 42 as never), 'TypeError', /^TaskGroup\.spawn\(name, fn, options\): expected fn to be a function, got 42 \(number\)$/);
      throwsWith(() => g.spawn(null as never), 'TypeError', /^TaskGroup\.spawn\(name, fn, options\): expected fn to be a function, got null$/);
      throwsWith(() => spawn('x', 'code' as never), 'TypeError', /^spawn\(name, fn, options\): expected fn to be a function, got 'code' \(string\)$/);
    });
    throwsWith(() => TaskGroup.run('g', undefined as never), 'TypeError', /^TaskGroup\.run\(name, body, options\): expected body to be a function, got undefined \(undefined\)$/);
    await assert.rejects(run(5 as never), { name: 'TypeError', message: /^run\(main, options\): expected main to be a function, got 5 \(number\)$/ });
    await assert.rejects(run(() => 1, { exitOnSignal: 'no' as never }), { name: 'TypeError', message: /^run\(main, options\): expected exitOnSignal to be a boolean, got 'no' \(string\)$/ });
    await assert.rejects(run(() => 1, { handleSignals: 0 as never }), { name: 'TypeError', message: /^run\(main, options\): expected handleSignals to be a boolean, got 0 \(number\)$/ });
    throwsWith(() => withTimeout(5, {} as never), 'TypeError', /^withTimeout\(ms, fn\): expected fn to be a function, got \[object Object\] \(object\)$/);
  });

  it('a non-string or empty name', async () => {
    await TaskGroup.run('g', (g) => {
      throwsWith(() => g.spawn('', () => 1), 'TypeError', /^TaskGroup\.spawn\(name, fn, options\): expected name to be a non-empty string, got '' \(empty string\)$/);
      throwsWith(() => g.spawn(7 as never, () => 1), 'TypeError', /^TaskGroup\.spawn\(name, fn, options\): expected name to be a non-empty string, got 7 \(number\)$/);
    });
    throwsWith(() => new TaskGroup(''), 'TypeError', /^new TaskGroup\(name, options\): expected name to be a non-empty string, got ''/);
    throwsWith(() => new TaskGroup({} as never), 'TypeError', /^new TaskGroup\(name, options\): expected name to be a non-empty string, got \[object Object\] \(object\)$/);
    throwsWith(() => TaskGroup.run('', () => 1), 'TypeError', /^TaskGroup\.run\(name, body, options\): expected name to be a non-empty string/);
    await assert.rejects(run(() => 1, { name: '' }), { name: 'TypeError', message: /^run\(main, options\): expected name to be a non-empty string/ });
  });

  for (const bad of [NaN, -1, 0, Infinity, 1.5, '2']) {
    it(`concurrency ${typeof bad === 'string' ? `'${bad}'` : String(bad)}`, () => {
      throwsWith(() => new TaskGroup('g', { concurrency: bad as number }), 'RangeError', /^new TaskGroup\(name, options\): expected concurrency to be an integer >= 1, got /);
    });
  }

  for (const bad of [NaN, Infinity, -Infinity]) {
    it(`timeout ${String(bad)}`, () => {
      throwsWith(() => new TaskGroup('g', { timeout: bad }), 'RangeError', new RegExp(`^new TaskGroup\\(name, options\\): expected timeout to be a finite number of milliseconds, got ${String(bad)} \\(number\\)$`));
      throwsWith(() => withTimeout(bad, () => 1), 'RangeError', /^withTimeout\(ms, fn\): expected ms to be a finite number of milliseconds/);
    });
  }

  it('a non-AbortSignal signal', () => {
    throwsWith(() => new TaskGroup('g', { signal: new AbortController() as never }), 'TypeError', /^new TaskGroup\(name, options\): expected signal to be an AbortSignal, got \[object AbortController\] \(object\)$/);
  });

  it('non-object options', async () => {
    throwsWith(() => new TaskGroup('g', 5 as never), 'TypeError', /^new TaskGroup\(name, options\): expected options to be an object, got 5 \(number\)$/);
    throwsWith(() => new TaskGroup('g', null as never), 'TypeError', /expected options to be an object, got null$/);
    throwsWith(() => TaskGroup.run('g', () => 1, 'fast' as never), 'TypeError', /^TaskGroup\.run\(name, body, options\): expected options to be an object, got 'fast' \(string\)$/);
    await TaskGroup.run('g', (g) => {
      throwsWith(() => g.spawn('x', () => 1, 'daemon' as never), 'TypeError', /^TaskGroup\.spawn\(name, fn, options\): expected options to be an object, got 'daemon' \(string\)$/);
    });
    await assert.rejects(run(() => 1, 3 as never), { name: 'TypeError', message: /^run\(main, options\): expected options to be an object, got 3 \(number\)$/ });
  });

  it('never calls fn or creates a task on bad input', async () => {
    let called = false;
    await TaskGroup.run('g', (g) => {
      assert.throws(() => g.spawn('', () => void (called = true)));
      assert.throws(() => g.spawn('x', () => void (called = true), 5 as never));
      assert.deepEqual(g.tasks, []);
    });
    assert.equal(called, false);
  });
});
