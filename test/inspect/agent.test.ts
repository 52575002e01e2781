import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CancelledError, run, sleep, spawn } from '../../src/core/index.js';
import type { Task } from '../../src/core/index.js';
import { AGENT_KEY, MAX_REQUEST_BYTES, handleRequest, installAgent } from '../../src/inspect/agent.js';
import type { FinishedInfo, Snapshot } from '../../src/inspect/schema.js';
import { latch, outcome } from '../helpers/core.js';
import { captureSnapshot } from '../../src/inspect/snapshot.js';

interface Answer {
  id: unknown;
  ok: boolean;
  result?: unknown;
  error?: { code: string; message: string };
}

function ask(request: unknown): Answer {
  const line = handleRequest(typeof request === 'string' ? request : JSON.stringify(request));
  assert.doesNotMatch(line, /\n/, 'one line');
  return JSON.parse(line) as Answer;
}

function errorCode(request: unknown): string | undefined {
  const answer = ask(request);
  assert.equal(answer.ok, false);
  return answer.error?.code;
}

/** Runs `body` inside a root task with a `worker` child that sleeps until cancelled. */
async function withWorker(body: (worker: Task) => void | Promise<void>): Promise<void> {
  await run(
    async () => {
      const worker = spawn('worker', async () => {
        try {
          await sleep(60_000);
        } catch (error) {
          if (!(error instanceof CancelledError)) throw error;
        }
      });
      try {
        await body(worker);
      } finally {
        worker.cancel('test over');
      }
    },
    { dumpSignal: false, handleSignals: false },
  );
}

describe('handleRequest', () => {
  it('answers ping with the pid, the Node version and the format version', () => {
    assert.deepEqual(ask({ id: 1, cmd: 'ping' }), {
      id: 1,
      ok: true,
      result: { pid: process.pid, node: process.version, formatVersion: 1 },
    });
  });

  it('echoes string and number ids, and answers null without one', () => {
    assert.equal(ask({ id: 'x-1', cmd: 'ping' }).id, 'x-1');
    assert.equal(ask({ id: 0, cmd: 'ping' }).id, 0);
    assert.equal(ask({ cmd: 'ping' }).id, null);
  });

  it('answers malformed JSON with BAD_JSON', () => {
    for (const line of ['', '{', '{"cmd": ping}', 'ping']) assert.equal(errorCode(line), 'BAD_JSON', line);
  });

  it('answers requests of the wrong shape with BAD_REQUEST', () => {
    assert.equal(errorCode('[]'), 'BAD_REQUEST');
    assert.equal(errorCode('42'), 'BAD_REQUEST');
    assert.equal(errorCode('null'), 'BAD_REQUEST');
    assert.equal(errorCode({ id: {}, cmd: 'ping' }), 'BAD_REQUEST');
    assert.equal(errorCode({ id: 1 }), 'BAD_REQUEST');
    assert.equal(errorCode({ cmd: 7 }), 'BAD_REQUEST');
    assert.equal(errorCode({ cmd: 'where' }), 'BAD_REQUEST');
    assert.equal(errorCode({ cmd: 'cancel', task: '' }), 'BAD_REQUEST');
    assert.equal(errorCode({ cmd: 'cancel', task: 'a', reason: 5 }), 'BAD_REQUEST');
    assert.deepEqual(ask({ cmd: 'cancel', task: 'a', from: 'cron' }).error, { code: 'BAD_REQUEST', message: '"from" must be "cli" or "ui", got "cron" (string)' });
    assert.equal(errorCode({ cmd: 'pstree', options: [] }), 'BAD_REQUEST');
    assert.equal(errorCode({ cmd: 'pstree', options: { expand: 'yes' } }), 'BAD_REQUEST');
  });

  it('keeps the id of a bad request when the id itself is fine', () => {
    assert.deepEqual(ask({ id: 9, cmd: 'where' }), {
      id: 9,
      ok: false,
      error: { code: 'BAD_REQUEST', message: '"task" must be a non-empty string for "where", got nothing' },
    });
  });

  it('answers an unknown command with UNKNOWN_COMMAND, and never evaluates anything', () => {
    (globalThis as Record<string, unknown>)['tasktreeTestTouched'] = false;
    const answer = ask({ id: 2, cmd: 'eval', expression: 'globalThis.tasktreeTestTouched = true' });
    assert.equal(answer.error?.code, 'UNKNOWN_COMMAND');
    assert.equal((globalThis as Record<string, unknown>)['tasktreeTestTouched'], false);
    assert.equal(errorCode({ cmd: 'toString' }), 'UNKNOWN_COMMAND');
    assert.equal(errorCode({ cmd: '__proto__' }), 'UNKNOWN_COMMAND');
  });

  it(`answers a request over ${MAX_REQUEST_BYTES} bytes with TOO_LARGE`, () => {
    assert.equal(errorCode(JSON.stringify({ cmd: 'ping', pad: 'x'.repeat(MAX_REQUEST_BYTES) })), 'TOO_LARGE');
    assert.equal(ask(JSON.stringify({ cmd: 'ping', pad: 'x'.repeat(MAX_REQUEST_BYTES - 100) })).ok, true);
  });

  it('answers snapshot with every live task', async () => {
    await withWorker(() => {
      const snapshot = ask({ cmd: 'snapshot' }).result as Snapshot;
      assert.equal(snapshot.formatVersion, 1);
      assert.equal(snapshot.pid, process.pid);
      assert.deepEqual(
        snapshot.tasks.map((t) => t.path),
        ['main', 'main › worker'],
      );
    });
  });

  it('answers snapshot without the history when asked with finished: false, and refuses a finished that is not a boolean', async () => {
    await withWorker(async () => {
      await spawn('done', async () => 1);
      const whole = ask({ cmd: 'snapshot' }).result as Snapshot;
      const liveOnly = ask({ cmd: 'snapshot', options: { finished: false } }).result as Snapshot;
      assert.ok(whole.finished.some((task) => task.name === 'done'));
      assert.deepEqual(liveOnly.finished, []);
      assert.deepEqual(
        liveOnly.tasks.map((t) => t.path),
        ['main', 'main › worker'],
      );
      const bad = ask({ cmd: 'snapshot', options: { finished: 1 } });
      assert.equal(bad.error?.code, 'BAD_REQUEST');
      assert.match(bad.error?.message ?? '', /"options\.finished" must be a boolean, got/);
    });
  });

  it('answers ps and pstree with rendered text', async () => {
    await withWorker((worker) => {
      const table = ask({ cmd: 'ps' }).result as string;
      assert.match(table, new RegExp(`${worker.id.replace('.', '\\.')}\\s+worker`));
      const tree = ask({ cmd: 'pstree', options: { expand: true } }).result as string;
      assert.match(tree, /── worker/);
    });
  });

  it('answers where with the task, its children and its detail', async () => {
    await withWorker((worker) => {
      const result = ask({ cmd: 'where', task: worker.id }).result as {
        task: { id: string; path: string };
        finished: unknown;
        children: unknown[];
        text: string;
      };
      assert.equal(result.task.id, worker.id);
      assert.equal(result.task.path, 'main › worker');
      assert.equal(result.finished, null);
      assert.deepEqual(result.children, []);
      assert.match(result.text, /^worker \[/);
      const root = ask({ cmd: 'where', task: worker.parent?.id }).result as { children: Array<{ id: string }> };
      assert.deepEqual(
        root.children.map((c) => c.id),
        [worker.id],
      );
    });
  });

  it('answers an unknown task id with UNKNOWN_TASK', () => {
    assert.deepEqual(ask({ id: 3, cmd: 'where', task: 'no.such' }), {
      id: 3,
      ok: false,
      error: { code: 'UNKNOWN_TASK', message: 'no live task with id "no.such"' },
    });
    assert.equal(errorCode({ cmd: 'cancel', task: 'no.such' }), 'UNKNOWN_TASK');
  });

  it('cancels a live task with the given reason, and answers its id, its path and when', async () => {
    await run(
      async () => {
        let seen: unknown;
        const worker = spawn('worker', async (task) => {
          try {
            await sleep(60_000);
          } catch {
            seen = task.signal.reason;
          }
        });
        await sleep(1);
        const before = captureSnapshot().capturedAt;
        const answer = ask({ id: 4, cmd: 'cancel', task: worker.id, reason: 'stuck' });
        const at = (answer.result as { at: number }).at;
        assert.deepEqual(answer, { id: 4, ok: true, result: { cancelled: worker.id, path: 'main › worker', at } });
        assert.ok(at >= before && at <= captureSnapshot().capturedAt, 'on the clock of the snapshot');
        await worker;
        assert.ok(seen instanceof CancelledError);
        assert.match(seen.message, /stuck/);
        // Gone now: where describes it from the history, cancel says it finished.
        const where = ask({ cmd: 'where', task: worker.id }).result as { task: unknown; finished: FinishedInfo };
        assert.equal(where.task, null);
        assert.ok(where.finished !== null);
        assert.deepEqual(where.finished.cancelled?.by, { source: 'cli', task: null, group: null, reason: 'stuck', message: 'tasktree cancel: "stuck"', site: null });
        const again = ask({ cmd: 'cancel', task: worker.id });
        assert.equal(again.error?.code, 'UNKNOWN_TASK');
        assert.match(again.error?.message ?? '', /already finished/);
      },
      { dumpSignal: false, handleSignals: false },
    );
  });
});

describe('the agent: who asked', () => {
  it('records the page of tasktree ui as the one who asked, and tasktree cancel with no reason as giving none', async () => {
    await run(
      async () => {
        const release = latch();
        const honours = spawn('honours', (task) => sleep(60_000, { signal: task.signal }));
        const ignores = spawn('ignores', () => release.promise);
        await sleep(1);
        assert.equal(ask({ cmd: 'cancel', task: honours.id, reason: 'from the page', from: 'ui' }).ok, true);
        assert.equal(ask({ cmd: 'cancel', task: ignores.id }).ok, true);
        await outcome(honours);
        const snapshot = captureSnapshot();
        assert.equal(snapshot.finished.findLast((f) => f.id === honours.id)?.cancelled?.by?.message, 'tasktree ui: "from the page"');
        const live = snapshot.tasks.find((t) => t.id === ignores.id)?.cancelled;
        assert.equal(live?.message, 'cancelled explicitly: requested with `tasktree cancel`', 'the task still sees a reason');
        assert.deepEqual(live?.by, { source: 'cli', task: null, group: null, reason: null, message: 'tasktree cancel (no reason given)', site: null });
        release.release();
      },
      { dumpSignal: false, handleSignals: false },
    );
  });
});

describe('installAgent', () => {
  const holder = globalThis as unknown as Record<symbol, unknown>;

  it('installs the agent on globalThis once', () => {
    const previous = Object.getOwnPropertyDescriptor(holder, AGENT_KEY);
    try {
      delete holder[AGENT_KEY];
      installAgent();
      const agent = holder[AGENT_KEY] as { formatVersion: number; pid: number; request: (line: string) => string };
      assert.equal(agent.formatVersion, 1);
      assert.equal(agent.pid, process.pid);
      assert.equal(agent.request, handleRequest);
      installAgent();
      assert.equal(holder[AGENT_KEY], agent, 'idempotent');
      assert.ok(!Object.keys(globalThis).includes(String(AGENT_KEY)));
    } finally {
      delete holder[AGENT_KEY];
      if (previous !== undefined) Object.defineProperty(holder, AGENT_KEY, previous);
    }
  });

  it('keeps an agent another copy of tasktree installed first', () => {
    const previous = Object.getOwnPropertyDescriptor(holder, AGENT_KEY);
    const other = { formatVersion: 1, pid: process.pid, request: () => 'other copy' };
    try {
      delete holder[AGENT_KEY];
      holder[AGENT_KEY] = other;
      installAgent();
      assert.equal(holder[AGENT_KEY], other);
    } finally {
      delete holder[AGENT_KEY];
      if (previous !== undefined) Object.defineProperty(holder, AGENT_KEY, previous);
    }
  });
});

describe('the agent’s record command', () => {
  const record = (options: unknown): { ok: boolean; result?: any; error?: { code: string; message: string } } =>
    JSON.parse(handleRequest(JSON.stringify({ id: 1, cmd: 'record', options })));

  it('switches the flight recorder on, reads it whole or from a number on, and switches it off with the last recording', async () => {
    assert.deepEqual(record({ action: 'status' }).result, { recording: false, capacity: 0, recorded: 0 });
    assert.equal(record({ action: 'read' }).result, null, 'nothing to read while it is off');
    assert.deepEqual(record({ action: 'start', capacity: 64 }).result, { recording: true, capacity: 64, recorded: 0, started: true });
    assert.equal(record({ action: 'start' }).result.started, false, 'on already: left as it was');
    await run(async () => {
      await spawn('job', async () => {});
    });
    const all = record({ action: 'read' }).result;
    assert.equal(all.recordingVersion, 1);
    // main: spawn, start, wait, resume, settle; job: spawn, start, settle.
    assert.equal(all.events.length, 8);
    const later = record({ action: 'read', after: 5 }).result;
    assert.deepEqual(later.events.map((e: { seq: number }) => e.seq), [6, 7]);
    const last = record({ action: 'stop' }).result;
    assert.equal(last.reason, 'stop');
    assert.equal(record({ action: 'status' }).result.recording, false);
    assert.equal(record({ action: 'stop' }).result, null);
  });

  it('reads the whole recording, with the tasks alive when it began, when no number is given', async () => {
    await run(async () => {
      const gate = latch();
      const waiter = spawn('waiter', (task) => task.waitFor(gate.promise, 'gate'));
      await sleep(1);
      record({ action: 'start' });
      gate.release();
      await waiter;
      const whole = record({ action: 'read' }).result;
      assert.deepEqual(whole.initial.find((t: { id: string }) => t.id === waiter.id)?.waitingOn?.label, 'gate');
      assert.deepEqual(record({ action: 'read', after: 0 }).result.initial, [], 'a reader that follows it gets only what is new');
    });
    record({ action: 'stop' });
  });

  it('switches itself off once a start’s lease runs out', async () => {
    record({ action: 'start', leaseMs: 20 });
    const deadline = Date.now() + 5000;
    while (record({ action: 'status' }).result.recording && Date.now() < deadline) await sleep(10);
    assert.equal(record({ action: 'status' }).result.recording, false);
  });

  it('says what is wrong with a bad request', () => {
    assert.deepEqual(record({ action: 'rewind' }).error, { code: 'BAD_REQUEST', message: '"options.action" of "record" must be one of status, start, read, stop, got "rewind" (string)' });
    assert.deepEqual(record(undefined).error?.code, 'BAD_REQUEST');
    assert.match(record({ action: 'start', capacity: 3 }).error?.message ?? '', /^"options\.capacity" must be an integer from 16 to 10000000, got 3 \(number\)$/);
    assert.match(record({ action: 'read', after: 'x' }).error?.message ?? '', /^"options\.after" must be an integer/);
    assert.equal(record({ action: 'status' }).result.recording, false, 'a refused start switched nothing on');
  });
});
