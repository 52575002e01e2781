// Two copies of tasktree in one process, installed side by side as npm would (two versions, under
// two names in one node_modules): the second to load warns once, naming both; each keeps its own
// task tree, and the agent the CLI reads is the first copy's.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { nodeBinary } from '../helpers/child.js';

const repository = fileURLToPath(new URL('../../..', import.meta.url));

/** Installs the built package as `node_modules/<name>` of `project`, at `version`. */
function installCopy(project: string, name: string, version: string): void {
  const dir = join(project, 'node_modules', name);
  mkdirSync(dir, { recursive: true });
  cpSync(join(repository, 'dist', 'src'), join(dir, 'dist', 'src'), { recursive: true });
  const pkg = JSON.parse(readFileSync(join(repository, 'package.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...pkg, name, version }));
}

function runScript(project: string, script: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  writeFileSync(join(project, 'main.mjs'), script);
  return new Promise((resolve) => {
    execFile(nodeBinary, ['main.mjs'], { cwd: project, env: { ...process.env, TASKTREE_DEBUG: undefined, NODE_OPTIONS: undefined, ...env }, timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr }),
    );
  });
}

const twoCopies = [
  "import * as a from 'tasktree';",
  "import * as b from 'tasktree-other';",
  "const agent = globalThis[Symbol.for('tasktree.agent')];",
  'let release;',
  'const released = new Promise((resolve) => (release = resolve));',
  'await a.run(async () => {',
  "  a.spawn('in-a', () => released);",
  '  await b.run(async () => {',
  "    b.spawn('in-b', () => released);",
  '    await b.sleep(1);',
  "    const seen = JSON.parse(agent.request(JSON.stringify({ cmd: 'snapshot' }))).result.tasks.map((t) => t.name);",
  "    console.log(`a: ${a.allTasks().map((t) => t.name).join(',')}`);",
  "    console.log(`b: ${b.allTasks().map((t) => t.name).join(',')}`);",
  "    console.log(`agent: ${seen.join(',')}`);",
  '    release();',
  '  }, { name: \'main-b\' });',
  "}, { name: 'main-a' });",
  "console.log('done');",
].join('\n');

describe('two copies of tasktree in one process', () => {
  let project: string;

  before(() => {
    project = mkdtempSync(join(tmpdir(), 'tasktree-copies-'));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
    installCopy(project, 'tasktree', '0.1.0');
    installCopy(project, 'tasktree-other', '0.0.9');
    for (const name of ['eventemitter3', 'nanoid']) symlinkSync(join(repository, 'node_modules', name), join(project, 'node_modules', name), 'dir');
  });

  after(() => {
    if (project !== undefined) rmSync(project, { recursive: true, force: true });
  });

  it('warns once, when the second copy loads, naming both copies with their versions', async () => {
    const { code, stdout, stderr } = await runScript(project, twoCopies);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /done\n$/);
    const dir = (name: string): string => join(project, 'node_modules', name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    assert.match(
      stderr,
      new RegExp(`\\[TASKTREE_DUPLICATE\\] TaskTreeWarning: two copies of tasktree are loaded in this process: 0\\.1\\.0 at ${dir('tasktree')}, and 0\\.0\\.9 at ${dir('tasktree-other')}\\. They keep separate task trees`),
    );
    assert.equal(stderr.match(/TASKTREE_DUPLICATE/g)?.length, 1);
  });

  it('keeps one task tree per copy; the agent the CLI reads is the first copy’s', async () => {
    const { stdout } = await runScript(project, twoCopies);
    assert.match(stdout, /^a: main-a,in-a$/m);
    assert.match(stdout, /^b: main-b,in-b$/m);
    assert.match(stdout, /^agent: main-a,in-a$/m);
  });

  it('says nothing when one copy is loaded, however often it is imported', async () => {
    const { code, stderr } = await runScript(project, "await import('tasktree'); await import('tasktree/inspect'); const { run } = await import('tasktree'); await run(() => 1);");
    assert.equal(code, 0, stderr);
    assert.doesNotMatch(stderr, /TASKTREE_DUPLICATE/);
  });
});
