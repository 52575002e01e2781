// The package as people install it: from a clean clone (committed files only, no dist/), packed,
// installed into a fresh project — and from a git URL. The library and the `tasktree` binary must
// work there, and the README shipped with it must not link to files it does not ship.
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const NODE = process.env['TASKTREE_TEST_NODE'] ?? process.execPath;
const repository = fileURLToPath(new URL('../../..', import.meta.url));
const version = (JSON.parse(readFileSync(join(repository, 'package.json'), 'utf8')) as { version: string }).version;
// npm's own settings for every npm call: no audit, no funding notes, the cache first.
const npmEnv: NodeJS.ProcessEnv = {
  ...process.env,
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_prefer_offline: 'true',
  npm_config_update_notifier: 'false',
  NODE_OPTIONS: undefined,
  NODE_TEST_CONTEXT: undefined,
  TASKTREE_DEBUG: undefined,
};

interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end (rejects with its output when it fails). */
function sh(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = npmEnv, timeout = 240_000): Promise<Result> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env, timeout, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const result = { code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr };
      if (error) reject(new Error(`${command} ${args.join(' ')} failed (${String(result.code)}):\n${stdout}\n${stderr}`));
      else resolve(result);
    });
  });
}

/** A fresh ESM project with `spec` installed. */
async function freshProject(dir: string, spec: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'user-project', version: '1.0.0', private: true, type: 'module' }));
  await sh('npm', ['install', spec], dir);
  return dir;
}

/** The relative links of a Markdown file: `[text](target)`, without `#anchors` and absolute URLs. */
function relativeLinks(markdown: string): string[] {
  const out: string[] = [];
  for (const match of markdown.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = (match[1] as string).split('#')[0] as string;
    if (target === '' || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
    out.push(target);
  }
  return out;
}

/** Runs the installed library and the installed binary in `project`. */
async function checkInstalled(project: string): Promise<void> {
  // The library, imported by a user's ESM script.
  writeFileSync(
    join(project, 'sum.mjs'),
    [
      "import { run, spawn } from 'tasktree';",
      'const total = await run(async () => {',
      "  const a = spawn('a', async () => 1);",
      "  const b = spawn('b', async () => 2);",
      '  return (await a) + (await b);',
      '});',
      'console.log(`total ${total}`);',
    ].join('\n'),
  );
  assert.equal((await sh(NODE, ['sum.mjs'], project)).stdout, 'total 3\n');

  // The binary, through npx.
  assert.equal((await sh('npx', ['--no-install', 'tasktree', '--version'], project)).stdout.trim(), version);

  // The binary against a process running the installed library (over its monitor socket).
  writeFileSync(
    join(project, 'service.mjs'),
    [
      "import { run, spawn } from 'tasktree';",
      'setInterval(() => {}, 60_000); // a service: something keeps the event loop alive',
      'const cancelled = (task) => new Promise((_, reject) => task.signal.addEventListener(\'abort\', () => reject(task.signal.reason)));',
      'await run(async (main) => {',
      "  spawn('installed-worker', cancelled);",
      "  await new Promise((resolve) => setImmediate(resolve));",
      "  console.log('ready');",
      '  await cancelled(main);',
      '});',
    ].join('\n'),
  );
  const runtime = mkdtempSync(join(tmpdir(), 'tasktree-install-run-'));
  const env = { ...npmEnv, XDG_RUNTIME_DIR: runtime, TASKTREE_MONITOR: '1' };
  const service = spawn(NODE, ['service.mjs'], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let stderr = '';
    service.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => service.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      let out = '';
      service.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        if (out.includes('ready\n')) resolve();
      });
      void exited.then((code) => reject(new Error(`the service exited (${String(code)}) before it was ready:\n${stderr}`)));
    });
    const ps = await sh(join(project, 'node_modules', '.bin', 'tasktree'), ['ps', String(service.pid)], project, env, 30_000);
    assert.match(ps.stdout, /installed-worker +running/);
    assert.match(ps.stdout, /main › installed-worker/);
    service.kill('SIGTERM');
    assert.equal(await exited, 143);
    assert.match(stderr, /^tasktree: SIGTERM — cancelling main/);
  } finally {
    if (service.exitCode === null && service.signalCode === null) service.kill('SIGKILL');
    rmSync(runtime, { recursive: true, force: true });
  }
}

describe('installing tasktree', { timeout: 900_000 }, () => {
  let work: string;
  let clone: string;
  let tarball: string;
  let files: string[];

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'tasktree-install-'));
    clone = join(work, 'clone');
    // Committed files only: a clone has no dist/.
    await sh('git', ['clone', '--quiet', repository, clone], work);
    // `npm ci` builds (the prepare script), and so does `npm pack` again (incrementally).
    await sh('npm', ['ci'], clone);
    const packed = await sh('npm', ['pack', '--pack-destination', work], clone);
    tarball = join(work, packed.stdout.trim().split('\n').at(-1) as string);
    files = (await sh('tar', ['-tzf', tarball], work)).stdout
      .trim()
      .split('\n')
      .map((path) => path.replace(/^package\//, ''));
  });

  after(() => {
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it('packs a lean tarball from a clean clone: the build, the sources for source maps, no tests', () => {
    for (const path of ['package.json', 'README.md', 'LICENSE', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/cli/main.js', 'src/index.ts']) {
      assert.ok(files.includes(path), `${path} is not in the tarball`);
    }
    assert.deepEqual(
      files.filter((path) => /^(test|dist\/test|dist\/examples|dist\/benchmarks|benchmarks\/(lib|workloads)|node_modules)\//.test(path) || path.endsWith('.tsbuildinfo')),
      [],
    );
  });

  it('packs a package.json with no script that runs on install, and leaves the clone’s own as it was', async () => {
    const packed = JSON.parse((await sh('tar', ['-xzOf', tarball, 'package/package.json'], work)).stdout) as { scripts?: Record<string, string> };
    const onInstall = ['preinstall', 'install', 'postinstall', 'prepare'].filter((name) => packed.scripts?.[name] !== undefined);
    assert.deepEqual(onInstall, []);
    assert.equal((await sh('git', ['status', '--porcelain'], clone)).stdout, '');
  });

  it('ships every file the README and docs/ link to', async () => {
    const markdown = files.filter((path) => path === 'README.md' || (path.startsWith('docs/') && path.endsWith('.md')));
    const dirs = new Set(files.flatMap((path) => path.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'))));
    const unpacked = join(work, 'unpacked');
    mkdirSync(unpacked);
    await sh('tar', ['-xzf', tarball, '-C', unpacked], work);
    const dangling: string[] = [];
    for (const file of markdown) {
      const text = readFileSync(join(unpacked, 'package', file), 'utf8');
      for (const link of relativeLinks(text)) {
        const target = posix.normalize(posix.join(posix.dirname(file), decodeURIComponent(link))).replace(/\/$/, '');
        if (!files.includes(target) && !dirs.has(target)) dangling.push(`${file} → ${link}`);
      }
    }
    assert.deepEqual(dangling, []);
    assert.ok(relativeLinks(readFileSync(join(unpacked, 'package', 'README.md'), 'utf8')).length > 0, 'the check saw no link at all');
  });

  it('installs the tarball into a fresh project: the library runs, and the tasktree binary works against it', async () => {
    await checkInstalled(await freshProject(join(work, 'from-tarball'), tarball));
  });

  // npm's git install (a clone, every devDependency, the prepare script) costs ≈30–40 s and does
  // not depend on the Node line the suite runs on: it runs once, in the run on the `node` of PATH
  // (the one npm's scripts and the binary's shebang use).
  const pathNode = execFileSync('node', ['--version'], { encoding: 'utf8' }).trim();
  const skip = pathNode === process.version ? false : `checked once, in the run on the node of PATH (${pathNode})`;
  it('installs from a git URL (npm builds it with the prepare script)', { skip }, async () => {
    const project = await freshProject(join(work, 'from-git'), `git+file://${clone}`);
    assert.ok(readFileSync(join(project, 'node_modules', 'tasktree', 'dist', 'src', 'index.js'), 'utf8').length > 0);
    await checkInstalled(project);
  });
});
