// `tasktree record PID` against real processes: the file it writes, the recorder left as it was,
// Ctrl-C while recording, and its errors.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RecorderState } from '../../src/inspect/record-command.js';
import type { Recording } from '../../src/inspect/recording-schema.js';
import { AgentClient } from '../../src/cli/client.js';
import { recordingFileName } from '../../src/inspect/recording-file.js';
import type { Child } from './helpers.js';
import { CLI, NODE, freePort, isolatedEnv, killAll, privateRuntimeDir, removeDir, runCli, startFixture } from './helpers.js';

let runtimeDir = '';
let env: NodeJS.ProcessEnv = {};
let target: Child;
let work = '';

before(async () => {
  runtimeDir = privateRuntimeDir();
  work = join(runtimeDir, 'out');
  mkdirSync(work);
  env = isolatedEnv(runtimeDir);
  // The test's own client finds the sockets where the fixtures put them.
  process.env['XDG_RUNTIME_DIR'] = runtimeDir;
  target = await startFixture('record-target', { args: ['--monitor'], env });
});

after(async () => {
  await killAll();
  removeDir(runtimeDir);
});

async function recorderOf(pid: number): Promise<RecorderState> {
  const client = await AgentClient.open({ pid, transport: 'socket', timeoutMs: 5000 }, () => {});
  try {
    return (await client.call('record', { options: { action: 'status' } })) as RecorderState;
  } finally {
    await client.close();
  }
}

function readRecordingFile(path: string): Recording {
  return JSON.parse(readFileSync(path, 'utf8')) as Recording;
}

function jobsIn(recording: Recording): { spawned: number; settled: number } {
  const jobs = new Set(recording.tasks.filter((t) => /^job#\d+$/.test(t.name) && t.path === `main › ticker › ${t.name}`).map((t) => t.id));
  return {
    spawned: recording.events.filter((e) => e.type === 'spawn' && jobs.has(e.id)).length,
    settled: recording.events.filter((e) => e.type === 'settle' && jobs.has(e.id) && e.outcome === 'fulfilled').length,
  };
}

/** Runs the CLI in `cwd`; once it says it is recording, `then(cli)` runs (a signal to the CLI or the target). */
function recordThen(args: readonly string[], cwd: string, then: (cli: ReturnType<typeof spawn>) => void): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(NODE, [CLI, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let sent = false;
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`tasktree ${args.join(' ')} did not end; stderr:\n${stderr}`));
    }, 30_000);
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    proc.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (!sent && /recording pid \d+ for/.test(stderr)) {
        sent = true;
        // Let a few jobs run first, so there is something to record.
        setTimeout(() => then(proc), 300);
      }
    });
    proc.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('tasktree record', () => {
  it('writes a versioned recording of the tasks the process ran, and switches the recorder off again', async () => {
    assert.equal((await recorderOf(target.pid)).recording, false);
    const file = join(work, 'one.json');
    const result = await runCli(['record', String(target.pid), '--seconds', '1', '--out', file], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, new RegExp(`^tasktree: recording pid ${target.pid} for 1\\.0 s \\(the recorder was off: switched on until then; Ctrl-C to stop early\\)\\n$`));
    assert.match(result.stdout, new RegExp(`^tasktree record: wrote ${file.replace(/[.]/g, '\\.')}: \\d+ events of \\d+ tasks over 1\\.\\d s; open it with tasktree ui --open `));
    const recording = readRecordingFile(file);
    assert.equal(recording.recordingVersion, 1);
    assert.equal(recording.pid, target.pid);
    assert.equal(recording.reason, 'stop');
    const jobs = jobsIn(recording);
    assert.ok(jobs.spawned >= 10 && jobs.settled >= 10, `jobs spawned and settled while recording: ${JSON.stringify(jobs)}`);
    // The task that waited all along is there with what it was doing when the recording began.
    const stuck = recording.tasks.find((t) => t.name === 'stuck');
    const initial = recording.initial.find((t) => t.id === stuck?.id);
    assert.deepEqual(initial?.waitingOn && { kind: initial.waitingOn.kind, label: 'label' in initial.waitingOn ? initial.waitingOn.label : null }, { kind: 'promise', label: 'db.query' });
    assert.equal((await recorderOf(target.pid)).recording, false);
  });

  it('writes to stdout with --out -, through the inspector as well', async () => {
    const port = await freePort();
    const viaInspector = await startFixture('record-target', { nodeArgs: [`--inspect-port=${port}`], env });
    const result = await runCli(['record', String(viaInspector.pid), '--seconds', '0.5', '--out', '-', '--transport', 'inspector'], { env });
    assert.equal(result.code, 0, result.stderr);
    const recording = JSON.parse(result.stdout) as Recording;
    assert.equal(recording.recordingVersion, 1);
    assert.ok(jobsIn(recording).settled >= 3, result.stderr);
    assert.match(result.stderr, /tasktree: recorded \d+ events of \d+ tasks over \d+ ms\n$/);
  });

  it('names the file after the pid and the time when --out is not given', async () => {
    const dir = join(work, 'default');
    mkdirSync(dir);
    const started = new Date();
    const result = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const proc = spawn(NODE, [CLI, 'record', String(target.pid), '--seconds', '0.2'], { env, cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] });
      let stdout = '';
      proc.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      proc.once('close', (code) => resolve({ code, stdout }));
    });
    assert.equal(result.code, 0);
    const files = readdirSync(dir);
    assert.equal(files.length, 1);
    const name = files[0] as string;
    assert.match(name, new RegExp(`^tasktree-${target.pid}-\\d{8}-\\d{6}\\.recording\\.json$`));
    assert.ok(name >= recordingFileName(target.pid, new Date(started.getTime() - 1000)), name);
    assert.match(result.stdout, new RegExp(`wrote ${name.replace(/[.]/g, '\\.')}:`));
  });

  it('on Ctrl-C while recording, still writes what it recorded and switches the recorder off', async () => {
    const dir = join(work, 'interrupted');
    mkdirSync(dir);
    const result = await recordThen(['record', String(target.pid), '--seconds', '60', '--out', 'cut.json'], dir, (cli) => cli.kill('SIGINT'));
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /wrote cut\.json: \d+ events of \d+ tasks over \d+ ms \(stopped early\)/);
    const recording = readRecordingFile(join(dir, 'cut.json'));
    assert.ok(jobsIn(recording).spawned >= 3);
    assert.ok(recording.capturedAt - recording.startedAt < 10_000);
    assert.equal((await recorderOf(target.pid)).recording, false);
  });

  it('leaves a recorder that was on already on, and writes what it holds', async () => {
    const recordingAlready = await startFixture('record-target', { args: ['--monitor', '--record'], env });
    const file = join(work, 'already.json');
    const result = await runCli(['record', String(recordingAlready.pid), '--seconds', '0.3', '--out', file], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /its recorder was on already, and stays on/);
    assert.equal(readRecordingFile(file).reason, 'read');
    assert.equal(readRecordingFile(file).capacity, 5000);
    assert.equal((await recorderOf(recordingAlready.pid)).recording, true);
  });

  it('refuses a bad --seconds, and a missing one, before touching the process', async () => {
    for (const seconds of ['0', '-1', 'ten', '86401', '']) {
      const result = await runCli(['record', String(target.pid), '--seconds', seconds], { env });
      assert.equal(result.code, 2, `--seconds ${seconds}: ${result.stderr}`);
      assert.match(result.stderr, /^tasktree: --seconds expects a number of seconds from more than 0 to 86400, got ".*" \(see tasktree --help\)\n$/);
    }
    const missing = await runCli(['record', String(target.pid)], { env });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /record needs --seconds N/);
  });

  it('refuses a file it cannot write, before switching anything on', async () => {
    const readOnly = join(work, 'read-only.json');
    writeFileSync(readOnly, '', { mode: 0o444 });
    const cases: Array<[string, RegExp]> = [
      [join(work, 'no', 'such', 'dir', 'x.json'), /no such directory/],
      [work, /it is a directory/],
    ];
    if (process.getuid?.() !== 0) cases.push([readOnly, /permission denied/]);
    for (const [out, why] of cases) {
      const result = await runCli(['record', String(target.pid), '--seconds', '5', '--out', out], { env });
      assert.equal(result.code, 14, result.stderr);
      assert.match(result.stderr, new RegExp(`^tasktree: cannot write the recording to ${out.replace(/[.]/g, '\\.')}: ${why.source}`));
    }
    assert.equal((await recorderOf(target.pid)).recording, false);
  });

  it('says so when the process is gone, or exits while it is recorded', async () => {
    const gone = await runCli(['record', '4194000', '--seconds', '1', '--out', join(work, 'gone.json')], { env });
    assert.equal(gone.code, 3, gone.stderr);
    const dying = await startFixture('record-target', { args: ['--monitor'], env });
    const file = join(work, 'dying.json');
    const result = await recordThen(['record', String(dying.pid), '--seconds', '30', '--out', file], work, () => dying.process.kill('SIGKILL'));
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, new RegExp(`pid ${dying.pid} exited while it was being recorded; nothing could be read`));
    assert.equal(existsSync(file), false);
  });

  it('says the process’s tasktree is too old when its agent has no recorder', async () => {
    const port = await freePort();
    const old = await startFixture('cli-fake-agent', { nodeArgs: [`--inspect-port=${port}`], env });
    const result = await runCli(['record', String(old.pid), '--seconds', '1', '--out', join(work, 'old.json')], { env });
    assert.equal(result.code, 13, result.stderr);
    assert.match(result.stderr, new RegExp(`tasktree: the tasktree in pid ${old.pid} is older than this CLI and has no flight recorder; update tasktree in that program\\n$`));
  });
});
