// Every `@example` in the TSDoc of the public surface is a program: it is compiled and run here,
// against the built package, in a child process. Examples that must not run (they block or wait
// for a signal) say `// example: no-run` on their first line.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import ts from 'typescript';
import { nodeBinary } from '../helpers/child.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const dist = join(root, 'dist', 'src');
const entries: Record<string, string> = {
  tasktree: join(dist, 'index.js'),
  'tasktree/inspect': join(dist, 'inspect', 'index.js'),
  'tasktree/debug': join(dist, 'debug', 'index.js'),
  'tasktree/testing': join(dist, 'testing', 'index.js'),
  'tasktree/otel': join(dist, 'otel', 'index.js'),
  // tasktree/otel's optional peer dependency, from the dev dependencies.
  '@opentelemetry/api': createRequire(import.meta.url).resolve('@opentelemetry/api'),
};

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (entry.endsWith('.ts')) out.push(path);
  }
  return out.sort();
}

interface Example {
  readonly file: string;
  readonly line: number;
  readonly code: string;
}

function examples(file: string): Example[] {
  const text = readFileSync(file, 'utf8');
  const found: Example[] = [];
  const pattern = /@example\s*\n((?:\s*\*.*\n)*?)\s*\*\//g;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    const body = (m[1] ?? '').split('\n').map((l) => l.replace(/^\s*\* ?/, ''));
    const start = body.findIndex((l) => l.startsWith('```'));
    const end = body.findIndex((l, i) => i > start && l.startsWith('```'));
    if (start < 0 || end < 0) continue;
    found.push({ file, line: text.slice(0, m.index).split('\n').length, code: body.slice(start + 1, end).join('\n') });
  }
  return found;
}

const work = mkdtempSync(join(tmpdir(), 'tasktree-examples-'));
after(() => rmSync(work, { recursive: true, force: true }));

const all = sources(join(root, 'src')).flatMap(examples);

describe('the TSDoc examples', () => {
  it('exist for the public surface', () => {
    assert.ok(all.length >= 20, `only ${all.length} examples found`);
  });
  for (const [i, example] of all.entries()) {
    const where = `${relative(root, example.file)}:${example.line}`;
    const skip = example.code.trimStart().startsWith('// example: no-run');
    it(`${where} runs`, { skip: skip ? 'marked no-run' : false }, () => {
      let code = ts.transpileModule(example.code, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      }).outputText;
      code = code.replace(/from '(tasktree(?:\/\w+)?|@opentelemetry\/api)'/g, (all, name: string) => {
        const target = entries[name];
        return target === undefined ? all : `from '${pathToFileURL(target).href}'`;
      });
      const path = join(work, `example-${i}.mjs`);
      writeFileSync(path, code);
      const res = spawnSync(nodeBinary, [path], { encoding: 'utf8', timeout: 20_000 });
      assert.equal(res.status, 0, `${where} failed:\n${code}\n--- stdout\n${res.stdout}\n--- stderr\n${res.stderr}`);
    });
  }
});
