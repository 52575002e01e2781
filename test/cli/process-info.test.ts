import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspectorAddress, isNodeBinaryName, splitNodeOptions } from '../../src/cli/process-info.js';

function address(argv: string[], nodeOptions: string | null = null): string {
  const { host, port } = inspectorAddress({ argv, nodeOptions });
  return `${host}:${port}`;
}

describe('isNodeBinaryName', () => {
  it('recognises the names Node binaries go by', () => {
    for (const name of ['/usr/bin/node', 'node', 'nodejs', '/opt/node24', 'node-20', 'node.exe']) {
      assert.equal(isNodeBinaryName(name), true, name);
    }
  });

  it('refuses other programs', () => {
    for (const name of ['/usr/bin/sleep', 'bash', 'nodemon', 'deno', 'python3', '']) {
      assert.equal(isNodeBinaryName(name), false, name);
    }
  });
});

describe('inspectorAddress', () => {
  it('defaults to 127.0.0.1:9229', () => {
    assert.equal(address(['node', 'app.js']), '127.0.0.1:9229');
  });

  it('reads --inspect-port, --inspect and --inspect-brk in every spelling', () => {
    assert.equal(address(['node', '--inspect-port=9333', 'app.js']), '127.0.0.1:9333');
    assert.equal(address(['node', '--inspect-port', '9334', 'app.js']), '127.0.0.1:9334');
    assert.equal(address(['node', '--inspect=9335', 'app.js']), '127.0.0.1:9335');
    assert.equal(address(['node', '--inspect=localhost:9336', 'app.js']), 'localhost:9336');
    assert.equal(address(['node', '--inspect-brk=0.0.0.0:9337', 'app.js']), '127.0.0.1:9337');
    assert.equal(address(['node', '--debug-port=9338', 'app.js']), '127.0.0.1:9338');
    assert.equal(address(['node', '--inspect-port=[::1]:9339', 'app.js']), '::1:9339');
  });

  it("ignores the script's own arguments", () => {
    assert.equal(address(['node', 'app.js', '--inspect-port=1234']), '127.0.0.1:9229');
    assert.equal(address(['node', '-r', 'dotenv/config', 'app.js', '--inspect=1234']), '127.0.0.1:9229');
    assert.equal(address(['node', '--require', 'x', '--inspect-port=4321', 'app.js']), '127.0.0.1:4321');
  });

  it('reads NODE_OPTIONS, and lets the command line win over it', () => {
    assert.equal(address(['node', 'app.js'], '--max-old-space-size=100 --inspect-port=9400'), '127.0.0.1:9400');
    assert.equal(address(['node', '--inspect-port=9401', 'app.js'], '--inspect-port=9400'), '127.0.0.1:9401');
  });
});

describe('splitNodeOptions', () => {
  it('splits on spaces and keeps double-quoted parts whole', () => {
    assert.deepEqual(splitNodeOptions('  --a  --require "./my file.js" --title="say \\"hi\\""'), ['--a', '--require', './my file.js', '--title=say "hi"']);
  });
});
