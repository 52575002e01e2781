// The published types, as a user's compiler reads them: the files `npm pack` ships, reached from
// the package's `exports`, hold only the public surface (no `_` member, no internal declaration),
// and a user's project (test/package/user-project/app.ts) compiles against them with TypeScript
// 5.9 and TypeScript 7, each with the tsconfig its own `tsc --init` writes (`types: []`).
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const repository = fileURLToPath(new URL('../../..', import.meta.url));
const modules = join(repository, 'node_modules');
const compilers = [
  { name: 'TypeScript 5.9', tsc: join(modules, 'typescript', 'bin', 'tsc'), major: '5.' },
  { name: 'TypeScript 7', tsc: join(modules, 'typescript7', 'bin', 'tsc'), major: '7.' },
];

interface Exports {
  readonly [entry: string]: { readonly types?: string } | string | null;
}

/** Runs `node tsc args` in `cwd`; resolves with its exit code and output. */
function tsc(compiler: string, args: readonly string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [compiler, ...args], { cwd, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, output: stdout + stderr });
    });
  });
}

/** A class, interface or type literal member's name, when it has a plain one. */
function memberName(member: ts.Node): string | undefined {
  const name = (member as { name?: ts.Node }).name;
  return name !== undefined && (ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteral(name)) ? name.text : undefined;
}

describe('the published types', () => {
  let work: string;
  let project: string;
  let installed: string;
  let entries: string[];

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'tasktree-types-'));
    project = join(work, 'user-project');
    installed = join(project, 'node_modules', 'tasktree');
    // The files the tarball holds (npm's own list), copied as an install would unpack them.
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: repository, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } }),
    ) as [{ files: { path: string }[] }];
    for (const { path } of packed[0].files) {
      mkdirSync(dirname(join(installed, path)), { recursive: true });
      cpSync(join(repository, path), join(installed, path));
    }
    // Its dependencies and @types/node, from the repository's own install.
    for (const name of ['eventemitter3', 'nanoid', '@types/node']) {
      mkdirSync(dirname(join(project, 'node_modules', name)), { recursive: true });
      symlinkSync(join(modules, name), join(project, 'node_modules', name), 'dir');
    }
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
    cpSync(join(repository, 'test', 'package', 'user-project', 'app.ts'), join(project, 'app.ts'));
    const exports = (JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { exports: Exports }).exports;
    entries = Object.values(exports).flatMap((target) => (typeof target === 'object' && target?.types !== undefined ? [join(installed, target.types)] : []));
  });

  after(() => {
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it('hold only the public surface: every declaration is exported by an entry, and no member starts with _', () => {
    const program = ts.createProgram(entries, { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, types: [], noEmit: true });
    const checker = program.getTypeChecker();
    const exported = new Set<string>();
    for (const entry of entries) {
      const file = program.getSourceFile(entry);
      assert.ok(file !== undefined, `the entry ${relative(installed, entry)} is missing`);
      const symbol = checker.getSymbolAtLocation(file);
      assert.ok(symbol !== undefined, `${relative(installed, entry)} is not a module`);
      for (const name of checker.getExportsOfModule(symbol)) exported.add(name.name);
    }
    assert.ok(exported.has('TaskGroup') && exported.has('captureSnapshot') && exported.has('checkNoLeaks'), 'the entries export nothing');

    const leaks: string[] = [];
    const published = program.getSourceFiles().filter((file) => file.fileName.startsWith(installed));
    for (const file of published) {
      const where = relative(installed, file.fileName);
      if (file.text.includes('@internal')) leaks.push(`${where}: an @internal comment`);
      const visit = (node: ts.Node, owner: string | undefined): void => {
        const name = memberName(node);
        if (owner === undefined && name !== undefined && ts.isStatement(node) && !ts.isModuleDeclaration(node)) {
          if (!exported.has(name)) leaks.push(`${where}: ${name} (not exported by any entry)`);
        }
        if (owner !== undefined && name?.startsWith('_')) leaks.push(`${where}: ${owner}.${name}`);
        const inner = ts.isClassDeclaration(node) || ts.isInterfaceDeclaration(node) ? (name ?? '?') : owner;
        ts.forEachChild(node, (child) => visit(child, ts.isVariableStatement(node) ? undefined : inner));
      };
      for (const statement of file.statements) {
        if (ts.isVariableStatement(statement)) {
          for (const declaration of statement.declarationList.declarations) {
            if (ts.isIdentifier(declaration.name) && !exported.has(declaration.name.text)) leaks.push(`${where}: ${declaration.name.text} (not exported by any entry)`);
          }
        } else visit(statement, undefined);
      }
    }
    assert.ok(published.length > 10, `only ${published.length} published files were read`);
    assert.deepEqual(leaks, []);
  });

  for (const compiler of compilers) {
    it(`compile in a user's project with ${compiler.name} and the tsconfig of its tsc --init`, async () => {
      const dir = join(work, `with-${compiler.major}x`);
      cpSync(project, dir, { recursive: true, verbatimSymlinks: true });
      const version = await tsc(compiler.tsc, ['--version'], dir);
      assert.match(version.output, new RegExp(`^Version ${compiler.major.replace('.', '\\.')}`));
      const init = await tsc(compiler.tsc, ['--init'], dir);
      assert.equal(init.code, 0, init.output);
      assert.match(readFileSync(join(dir, 'tsconfig.json'), 'utf8'), /"types": \[\]/);
      // The init's tsconfig, with the published .d.ts checked too (its skipLibCheck would hide their errors).
      writeFileSync(join(dir, 'tsconfig.check.json'), JSON.stringify({ extends: './tsconfig.json', compilerOptions: { skipLibCheck: false, noEmit: true }, files: ['app.ts'] }));
      const result = await tsc(compiler.tsc, ['-p', 'tsconfig.check.json'], dir);
      assert.equal(result.output, '');
      assert.equal(result.code, 0);
    });
  }
});
