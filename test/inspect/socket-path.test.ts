import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { ensureMonitorDirectory, monitorDirectory, monitorDirectoryCandidates, monitorSocketPath } from '../../src/inspect/socket-path.js';
import { privateRuntimeDir, removeDir } from '../cli/helpers.js';

describe('monitor socket paths', () => {
  const saved = { xdg: process.env['XDG_RUNTIME_DIR'], tmp: process.env['TMPDIR'] };
  const uid = process.getuid?.() ?? 0;
  let scratch = '';

  before(() => {
    scratch = privateRuntimeDir();
  });

  afterEach(() => {
    for (const [name, value] of [['XDG_RUNTIME_DIR', saved.xdg], ['TMPDIR', saved.tmp]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  after(() => removeDir(scratch));

  it('uses $XDG_RUNTIME_DIR/tasktree when XDG_RUNTIME_DIR is set and writable', () => {
    process.env['XDG_RUNTIME_DIR'] = scratch;
    assert.equal(monitorDirectory(), join(scratch, 'tasktree'));
    assert.equal(monitorSocketPath(1234), join(scratch, 'tasktree', '1234.sock'));
    assert.equal(monitorSocketPath(), join(scratch, 'tasktree', `${process.pid}.sock`));
  });

  it('falls back to <tmpdir>/tasktree-<uid> without a usable XDG_RUNTIME_DIR', () => {
    process.env['TMPDIR'] = scratch;
    delete process.env['XDG_RUNTIME_DIR'];
    assert.equal(monitorDirectory(), join(scratch, `tasktree-${uid}`));
    process.env['XDG_RUNTIME_DIR'] = join(scratch, 'does-not-exist');
    assert.equal(monitorDirectory(), join(scratch, `tasktree-${uid}`));
    process.env['XDG_RUNTIME_DIR'] = '';
    assert.equal(monitorSocketPath(7), join(scratch, `tasktree-${uid}`, '7.sock'));
  });

  it('lists both candidate directories, the preferred one first', () => {
    process.env['TMPDIR'] = scratch;
    process.env['XDG_RUNTIME_DIR'] = scratch;
    assert.deepEqual(monitorDirectoryCandidates(), [join(scratch, 'tasktree'), join(scratch, `tasktree-${uid}`)]);
  });

  it('creates the directory with mode 0700', () => {
    const directory = join(scratch, 'fresh');
    assert.equal(ensureMonitorDirectory(directory), directory);
    assert.equal(statSync(directory).mode & 0o777, 0o700);
    assert.equal(ensureMonitorDirectory(directory), directory, 'and accepts it the next time');
  });

  it('refuses a directory the group or others can reach', () => {
    const directory = join(scratch, 'open');
    mkdirSync(directory);
    chmodSync(directory, 0o755);
    assert.throws(() => ensureMonitorDirectory(directory), {
      message: `tasktree monitor: ${directory} has mode 755, expected 700 (only its owner may enter it); fix it with: chmod 700 ${directory}`,
    });
  });

  it('refuses a file where the directory should be', () => {
    const path = join(scratch, 'a-file');
    writeFileSync(path, '');
    assert.throws(() => ensureMonitorDirectory(path), /exists but is not a directory/);
  });

  it('refuses a directory owned by another user', { skip: uid !== 0 ? 'needs root to chown' : false }, () => {
    const directory = join(scratch, 'theirs');
    mkdirSync(directory, { mode: 0o700 });
    chownSync(directory, 65534, 65534);
    assert.throws(() => ensureMonitorDirectory(directory), new RegExp(`belongs to uid 65534, not to this user \\(uid ${uid}\\)`));
  });
});
