// run()'s crashRecording: the flight recording written when an uncaught exception ends the process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/index.js';
import type { Recording } from '../../src/inspect/recording-schema.js';
import { isRecording } from '../../src/inspect/recorder.js';

const NODE = process.env['TASKTREE_TEST_NODE'] ?? process.execPath;
const FIXTURE = fileURLToPath(new URL('../fixtures/record-crash.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tasktree-crash-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function crash(arg: string, cwd: string): { status: number | null; stderr: string } {
  const result = spawnSync(NODE, [FIXTURE, arg], { cwd, encoding: 'utf8', timeout: 20_000, env: { ...process.env, NODE_OPTIONS: '' } });
  return { status: result.status, stderr: result.stderr };
}

describe('run() with crashRecording', () => {
  it('writes the flight recording when an uncaught exception ends the process, and prints where', () => {
    const file = join(dir, 'crash.json');
    const { status, stderr } = crash(file, dir);
    assert.equal(status, 1, stderr);
    assert.match(stderr, /Error: the crash/, 'the crash is reported as usual');
    assert.match(stderr, new RegExp(`tasktree: the flight recording of this crash \\(\\d+ events of \\d+ tasks\\) is in ${file.replace(/[.]/g, '\\.')}; open it with tasktree ui --open `));
    const recording = JSON.parse(readFileSync(file, 'utf8')) as Recording;
    assert.equal(recording.recordingVersion, 1);
    assert.equal(recording.reason, 'crash');
    const names = new Map(recording.tasks.map((t) => [t.id, t.name]));
    const settled = recording.events.filter((e) => e.type === 'settle').map((e) => names.get(e.id));
    assert.deepEqual(settled, ['job#1', 'job#2', 'job#3']);
    const waits = recording.events.filter((e) => e.type === 'wait').map((e) => `${names.get(e.id)} ${e.type === 'wait' ? e.on.kind : ''}`);
    assert.ok(waits.includes('worker promise') && waits.includes('crasher sleep'), waits.join(', '));
  });

  it('names the file after the pid and the time in the working directory with crashRecording: true', () => {
    const cwd = mkdtempSync(join(dir, 'default-'));
    const { status, stderr } = crash('true', cwd);
    assert.equal(status, 1, stderr);
    const files = readdirSync(cwd);
    assert.equal(files.length, 1);
    assert.match(files[0] as string, /^tasktree-\d+-\d{8}-\d{6}\.recording\.json$/);
    assert.match(stderr, new RegExp(`is in ${join(cwd, files[0] as string).replace(/[.]/g, '\\.')};`));
  });

  it('writes nothing without it', () => {
    const cwd = mkdtempSync(join(dir, 'off-'));
    const { status, stderr } = crash('off', cwd);
    assert.equal(status, 1, stderr);
    assert.doesNotMatch(stderr, /flight recording/);
    assert.deepEqual(readdirSync(cwd), []);
  });

  it('switches the recorder on for the run only, and refuses an option that is neither a boolean nor a path', async () => {
    await run(async () => assert.equal(isRecording(), true), { crashRecording: true });
    assert.equal(isRecording(), false);
    for (const bad of ['', 1, {}]) {
      await assert.rejects(run(async () => {}, { crashRecording: bad as never }), {
        name: 'TypeError',
        message: /^run\(main, options\): expected crashRecording to be a boolean or a file path, got /,
      });
    }
  });
});
