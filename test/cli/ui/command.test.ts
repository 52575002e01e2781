// `tasktree ui PID` in a real child process, against a real target: what it serves, to whom, and
// how it follows the target through blocks and exits.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CancelAction, UiState } from '../../../src/ui/protocol.js';
import { freePort, isolatedEnv, killAll, privateRuntimeDir, removeDir, runCli, startFixture, waitUntil } from '../helpers.js';
import type { Child } from '../helpers.js';
import { bearer, http, startTarget, startUi, state, stateWhere, tell } from './helpers.js';
import type { Ready, Ui } from './helpers.js';

let runtimeDir = '';
let env: NodeJS.ProcessEnv = {};

before(() => {
  runtimeDir = privateRuntimeDir();
  env = isolatedEnv(runtimeDir);
});

after(async () => {
  await killAll();
  removeDir(runtimeDir);
});

const SECURITY_HEADERS = ['content-security-policy', 'x-content-type-options', 'x-frame-options', 'referrer-policy', 'cache-control'];

function assertSecurityHeaders(headers: Record<string, string | string[] | undefined>, what: string): void {
  for (const name of SECURITY_HEADERS) assert.ok(headers[name] !== undefined, `${what} has ${name}`);
  const csp = headers['content-security-policy'] as string;
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.equal(headers['x-content-type-options'], 'nosniff');
  assert.equal(headers['cache-control'], 'no-store');
}

describe('tasktree ui serving a live process', () => {
  let target: Child;
  let ready: Ready;
  let ui: Ui;

  before(async () => {
    ({ child: target, ready } = await startTarget(env));
    ui = await startUi([String(target.pid), '--no-open', '--interval', '200'], env);
  });

  it('prints its loopback address with a 256-bit token first, and a note on stderr', async () => {
    assert.match(ui.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
    await waitUntil('the note on stderr', () => /reading pid \d+ through the monitor socket every 200 ms; Ctrl-C to stop/.test(ui.child.stderr()));
  });

  it('moves the token from the address into an HttpOnly, SameSite=Strict cookie, and out of the address', async () => {
    const first = await http(ui, `/?token=${ui.token}`, { headers: { host: ui.host } });
    assert.equal(first.status, 303);
    assert.equal(first.headers['location'], '/');
    const cookie = (first.headers['set-cookie'] as string[])[0] as string;
    assert.match(cookie, /^tasktree-ui-\d+=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/$/);
    const page = await http(ui, '/', { headers: { host: ui.host, cookie: cookie.split(';')[0] as string } });
    assert.equal(page.status, 200);
    assert.match(page.headers['content-type'] as string, /^text\/html/);
    assert.match(page.body, /<script type="module" src="\/app\/page\/main\.js"><\/script>/);
    assert.doesNotMatch(page.body, /<script>|style=/, 'no inline script or style');
    assertSecurityHeaders(page.headers, 'the page');
  });

  it('serves the page, its scripts and its styles, each with the security headers', async () => {
    for (const [path, type] of [
      ['/app/page/main.js', /^text\/javascript/],
      ['/app/tree-model.js', /^text\/javascript/],
      ['/app/page/style.css', /^text\/css/],
      ['/app/page/favicon.svg', /^image\/svg\+xml/],
    ] as const) {
      const answer = await http(ui, path, { headers: { host: ui.host, ...bearer(ui) } });
      assert.equal(answer.status, 200, path);
      assert.match(answer.headers['content-type'] as string, type, path);
      assertSecurityHeaders(answer.headers, path);
    }
    const missing = await http(ui, '/app/../../package.json', { headers: bearer(ui) });
    assert.equal(missing.status, 404);
  });

  it('refuses every request without the token (401) or with a wrong one (403), page, data and actions alike', async () => {
    for (const path of ['/', '/app/page/main.js', '/api/state', '/nothing-here']) {
      const none = await http(ui, path);
      assert.equal(none.status, 401, path);
      assertSecurityHeaders(none.headers, `401 for ${path}`);
      assert.equal((await http(ui, path, { headers: { authorization: 'Bearer wrong' } })).status, 403, path);
    }
    assert.equal((await http(ui, '/?token=wrong')).status, 403);
    assert.match((await http(ui, '/')).body, /open the address that `tasktree ui` printed/);
    const cancel = await http(ui, '/api/cancel', { method: 'POST', headers: { 'content-type': 'application/json', origin: ui.origin }, body: JSON.stringify({ task: ready.worker }) });
    assert.equal(cancel.status, 401);
    assert.ok(target.stdoutLines.every((l) => !l.startsWith('cancelled worker')), 'nothing was cancelled');
  });

  it('refuses a Host that is not its address, even with the token (DNS rebinding)', async () => {
    const answer = await http(ui, '/api/state', { headers: { ...bearer(ui), host: `rebind.example:${new URL(ui.origin).port}` } });
    assert.equal(answer.status, 403);
    assert.match(answer.body, /BAD_HOST/);
  });

  it('refuses a POST from a foreign Origin, even with the token', async () => {
    const answer = await http(ui, '/api/cancel', {
      method: 'POST',
      headers: { ...bearer(ui), 'content-type': 'application/json', origin: 'http://evil.example' },
      body: JSON.stringify({ task: ready.worker }),
    });
    assert.equal(answer.status, 403);
    assert.match(answer.body, /BAD_ORIGIN/);
    assert.ok(target.stdoutLines.every((l) => !l.startsWith('cancelled worker')), 'nothing was cancelled');
  });

  it('answers GET with the state: the snapshot, its deadlocks, and the timeline when asked', async () => {
    const s = await stateWhere(ui, 'a snapshot arrived', (x) => x.snapshot !== null);
    assert.equal(s.uiFormatVersion, 1);
    assert.equal(s.target.status, 'live');
    assert.equal(s.target.transport, 'socket');
    assert.equal(s.snapshot?.pid, target.pid);
    const names = s.snapshot?.tasks.map((t) => t.name) ?? [];
    for (const name of ['main', 'worker', 'stubborn', 'request#1', 'db-query', 'lock-a', 'lock-b', 'job#2']) assert.ok(names.includes(name), name);
    assert.ok(s.deadlocks.some((cycle) => cycle.includes(ready.lockA)), 'the deadlock is found');
    assert.equal(s.timeline, null);
    const withTimeline = await state(ui, -1, true);
    assert.ok((withTimeline.timeline?.lanes.length ?? 0) >= names.length);
    assert.ok(withTimeline.timeline?.lanes.some((l) => l.name === 'bad-config' && l.outcome === 'rejected'));
  });

  it('holds a request for the next state until the next read (long poll)', async () => {
    const now = await state(ui);
    const next = await state(ui, now.revision);
    assert.ok(next.revision > now.revision);
    assert.ok((next.snapshot?.capturedAt ?? 0) >= (now.snapshot?.capturedAt ?? 0));
  });

  it('cancels a task that honours its signal through the agent, and follows it to its end', async () => {
    const answer = await http(ui, '/api/cancel', {
      method: 'POST',
      headers: { ...bearer(ui), 'content-type': 'application/json', origin: ui.origin },
      body: JSON.stringify({ task: ready.worker, reason: 'from the test' }),
    });
    assert.equal(answer.status, 200, answer.body);
    const { action } = JSON.parse(answer.body) as { action: CancelAction };
    assert.equal(action.status, 'requested');
    assert.equal(action.path, 'main › worker');
    await target.waitForLine(/^cancelled worker: cancelled explicitly: from the test$/);
    const s = await stateWhere(ui, 'the worker settled', (x) => x.actions.some((a) => a.taskId === ready.worker && a.status === 'settled'));
    const settled = s.actions.find((a) => a.taskId === ready.worker) as CancelAction;
    // It caught the CancelledError and returned: a task that completes after the request keeps its value.
    assert.equal(settled.outcome, 'fulfilled');
    assert.ok(s.snapshot?.finished.some((f) => f.id === ready.worker && f.cancelled?.message === 'cancelled explicitly: from the test'));
  });

  it('cancels a task that ignores its signal: the request stands and the task goes on', async () => {
    const answer = await http(ui, '/api/cancel', {
      method: 'POST',
      headers: { ...bearer(ui), 'content-type': 'application/json', origin: ui.origin },
      body: JSON.stringify({ task: ready.stubborn }),
    });
    assert.equal(answer.status, 200, answer.body);
    await target.waitForLine(/^stubborn saw the cancellation$/);
    const s = await stateWhere(ui, 'the stubborn task shows its cancellation', (x) => x.snapshot?.tasks.some((t) => t.id === ready.stubborn && t.cancelled !== null) === true);
    const action = s.actions.find((a) => a.taskId === ready.stubborn) as CancelAction;
    assert.equal(action.status, 'requested');
    assert.equal(action.reason, 'requested from tasktree ui');
    assert.match(s.snapshot?.tasks.find((t) => t.id === ready.stubborn)?.cancelled?.message ?? '', /requested from tasktree ui/);
  });

  it('answers a cancel of an unknown task with 404, and says why', async () => {
    const answer = await http(ui, '/api/cancel', {
      method: 'POST',
      headers: { ...bearer(ui), 'content-type': 'application/json', origin: ui.origin },
      body: JSON.stringify({ task: 'no.such' }),
    });
    assert.equal(answer.status, 404);
    const { action } = JSON.parse(answer.body) as { action: CancelAction };
    assert.equal(action.status, 'failed');
    assert.match(action.error ?? '', /no live task with id "no\.such"/);
  });

  it('refuses malformed actions: not JSON, not JSON content, too large, or not a POST', async () => {
    const post = (body: string, type = 'application/json'): Promise<{ status: number }> =>
      http(ui, '/api/cancel', { method: 'POST', headers: { ...bearer(ui), 'content-type': type, origin: ui.origin }, body });
    assert.equal((await post('{')).status, 400);
    assert.equal((await post('{"task": 5}')).status, 400);
    assert.equal((await post(`{"task": "x", "reason": "${'r'.repeat(1001)}"}`)).status, 400);
    assert.equal((await post('task=x', 'application/x-www-form-urlencoded')).status, 415);
    assert.equal((await post(`{"task": "${'x'.repeat(20_000)}"}`)).status, 413);
    assert.equal((await http(ui, '/api/cancel', { headers: bearer(ui) })).status, 405);
    assert.equal((await http(ui, '/api/state', { method: 'POST', headers: { ...bearer(ui), origin: ui.origin } })).status, 405);
  });

  it('says the process exited, and keeps its last view', async () => {
    tell(target, 'exit');
    await target.exited;
    const s = await stateWhere(ui, 'the exit is seen', (x) => x.target.status === 'exited');
    assert.match(s.target.message, new RegExp(`^pid ${target.pid} exited\\. This is its last snapshot, from \\d\\d:\\d\\d:\\d\\d\\.$`));
    assert.ok((s.snapshot?.tasks.length ?? 0) > 0);
    assert.ok(ui.child.alive(), 'tasktree ui goes on serving');
  });

  it('stops on Ctrl-C with exit code 0, and its port closes', async () => {
    ui.child.process.kill('SIGINT');
    const { code } = await ui.child.exited;
    assert.equal(code, 0);
    const port = Number(new URL(ui.origin).port);
    const refused = await new Promise<boolean>((resolve) => {
      const socket = createConnection(port, '127.0.0.1');
      socket.once('connect', () => resolve(socket.destroy() === undefined && false));
      socket.once('error', () => resolve(true));
    });
    assert.equal(refused, true, 'nothing listens any more');
  });
});

describe('tasktree ui and a blocked event loop', () => {
  it('over the monitor socket: says the process does not answer, and recovers when it does', async () => {
    const { child: target } = await startTarget(env);
    const ui = await startUi([String(target.pid), '--no-open', '--interval', '200', '--timeout', '600'], env);
    await stateWhere(ui, 'live', (x) => x.target.status === 'live');
    const unblock = join(mkdtempSync(join(tmpdir(), 'tasktree-ui-')), 'unblock');
    tell(target, `block ${unblock}`);
    await target.waitForLine(/^blocked$/);
    const stuck = await stateWhere(ui, 'not answering', (x) => x.target.status === 'not-answering');
    assert.match(stuck.target.message, /has not answered through the monitor socket within 600 ms: its event loop is blocked/);
    assert.match(stuck.target.message, /--transport inspector/);
    assert.ok(stuck.snapshot !== null, 'the last snapshot stays');
    writeFileSync(unblock, '');
    const back = await stateWhere(ui, 'live again', (x) => x.target.status === 'live');
    assert.equal(back.target.transport, 'socket');
    ui.child.process.kill('SIGINT');
    assert.equal((await ui.child.exited).code, 0);
  });

  it('over the inspector: reads the process while its loop is blocked, and closes the inspector on Ctrl-C', async () => {
    const port = await freePort();
    const { child: target } = await startTarget(env, [], [`--inspect-port=${port}`]);
    const ui = await startUi([String(target.pid), '--no-open', '--interval', '200', '--timeout', '2000'], env);
    const live = await stateWhere(ui, 'live', (x) => x.target.status === 'live');
    assert.equal(live.target.transport, 'inspector');
    await waitUntil('the note on stderr', () => /through the inspector/.test(ui.child.stderr()));
    const unblock = join(mkdtempSync(join(tmpdir(), 'tasktree-ui-')), 'unblock');
    tell(target, `block ${unblock}`);
    await target.waitForLine(/^blocked$/);
    const before = await state(ui);
    const during = await stateWhere(ui, 'a snapshot taken while blocked', (x) => (x.snapshot?.capturedAt ?? 0) > (before.snapshot?.capturedAt ?? 0) + 300);
    assert.equal(during.target.status, 'live');
    writeFileSync(unblock, '');
    await target.waitForLine(/^unblocked$/);
    ui.child.process.kill('SIGINT');
    assert.equal((await ui.child.exited).code, 0);
    await waitUntil('the inspector is closed again', async () => {
      const { inspectorAnswers } = await import('../helpers.js');
      return !(await inspectorAnswers(port));
    });
    assert.ok(target.alive());
  });
});

describe('tasktree ui without a target to read', () => {
  it('is in tasktree --help', async () => {
    const result = await runCli(['--help'], { env });
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^  ui PID \[--port N\] \[--host ADDR\] \[--no-open\] \[--interval MS\]$/m);
  });

  it('exits with the usual code, before serving anything, when there is no such process', async () => {
    const result = await runCli(['ui', '999999999', '--no-open'], { env });
    assert.equal(result.code, 3);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^tasktree: no process with pid 999999999\n$/);
  });

  it('says so when the port it was told to use is taken', async () => {
    const { child: target } = await startTarget(env);
    const first = await startUi([String(target.pid), '--no-open'], env);
    const port = new URL(first.origin).port;
    const second = await runCli(['ui', String(target.pid), '--no-open', '--port', port], { env });
    assert.equal(second.code, 1);
    assert.match(second.stderr, new RegExp(`^tasktree: cannot serve on 127\\.0\\.0\\.1:${port}: the port is in use`));
    first.child.process.kill('SIGINT');
    await first.child.exited;
  });
});

describe('tasktree ui and the browser', () => {
  it('opens the address with xdg-open when there is one', async () => {
    const { child: target } = await startTarget(env);
    const bin = mkdtempSync(join(tmpdir(), 'tasktree-ui-bin-'));
    const log = join(bin, 'opened');
    writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\necho "$1" > ${log}\n`);
    chmodSync(join(bin, 'xdg-open'), 0o755);
    const ui = await startUi([String(target.pid)], { ...env, PATH: `${bin}:${process.env['PATH'] ?? ''}` });
    await waitUntil('xdg-open ran', () => {
      try {
        return readFileSync(log, 'utf8').trim() === ui.url;
      } catch {
        return false;
      }
    });
    ui.child.process.kill('SIGINT');
    assert.equal((await ui.child.exited).code, 0);
  });

  it('says to open the address by hand when there is no opener, and goes on serving', async () => {
    const { child: target } = await startTarget(env);
    const ui = await startUi([String(target.pid)], { ...env, PATH: mkdtempSync(join(tmpdir(), 'tasktree-ui-empty-')) });
    await waitUntil('the note', () => /no xdg-open or open found to start a browser: open the address above in one/.test(ui.child.stderr()));
    assert.equal((await http(ui, '/api/state', { headers: bearer(ui) })).status, 200);
    ui.child.process.kill('SIGINT');
    assert.equal((await ui.child.exited).code, 0);
  });
});

describe('tasktree ui beyond loopback', () => {
  it('warns on stderr when --host is not a loopback address, and still checks Host', async () => {
    const { child: target } = await startTarget(env);
    const ui = await startUi([String(target.pid), '--no-open', '--host', '0.0.0.0'], env);
    await waitUntil('the warning on stderr', () =>
      /warning: serving on 0\.0\.0\.0:\d+, not only loopback: anyone who can reach it and has the token can see every task and cancel them, over plain HTTP/.test(ui.child.stderr()),
    );
    assert.match(ui.url, /^http:\/\/127\.0\.0\.1:/, 'the printed address is one this machine can open');
    assert.equal((await http(ui, '/api/state', { headers: bearer(ui) })).status, 200);
    assert.equal((await http(ui, '/api/state', { headers: { ...bearer(ui), host: 'rebind.example' } })).status, 403);
    ui.child.process.kill('SIGINT');
    assert.equal((await ui.child.exited).code, 0);
  });
});

describe('tasktree ui’s timeline and the target’s flight recorder', () => {
  /** A lane of a short job that shows its 1 ms sleep: only exact events can draw that. */
  async function timelineWhere(ui: Ui, what: string, predicate: (s: UiState) => boolean): Promise<UiState> {
    const deadline = Date.now() + 20_000;
    let current = await state(ui, -1, true);
    while (!predicate(current)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}; timeline: ${JSON.stringify(current.timeline)?.slice(0, 2000)}`);
      current = await state(ui, current.revision, true);
    }
    return current;
  }

  function sleptJob(s: UiState): boolean {
    return (s.timeline?.lanes ?? []).some((lane) => /^job#\d+$/.test(lane.name) && lane.outcome === 'fulfilled' && lane.spans.some(([kind, , , label]) => kind === 'waiting' && label === 'sleep 1 ms'));
  }

  it('is fed by the recorder’s events while it is on, so tasks that come and go between two reads show what they did', async () => {
    const target = await startFixture('record-target', { args: ['--monitor', '--record'], env });
    const ui = await startUi([String(target.pid), '--no-open', '--interval', '500'], env);
    const s = await timelineWhere(ui, 'a job lane from the recorder', (x) => x.timeline?.source === 'recorder' && sleptJob(x));
    assert.equal(s.timeline?.source, 'recorder');
  });

  it('is read from snapshots when the target’s recorder is off', async () => {
    const target = await startFixture('record-target', { args: ['--monitor'], env });
    const ui = await startUi([String(target.pid), '--no-open', '--interval', '200'], env);
    const s = await timelineWhere(ui, 'a timeline with finished jobs', (x) => (x.timeline?.lanes ?? []).filter((lane) => lane.outcome === 'fulfilled').length >= 3);
    assert.equal(s.timeline?.source, 'snapshots');
  });
});
