// The core's modules import each other without a cycle, apart from type-only imports (which the
// compiler erases): the files can be read, and loaded, bottom up. Reads the sources in src/core.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import ts from 'typescript';

const coreDir = fileURLToPath(new URL('../../../src/core/', import.meta.url));

/**
 * The relative modules `source` imports or re-exports at run time, as file names (`./task.js` →
 * `task.ts`). Left out: `import type …`, `export type … from`, and imports whose every name is
 * marked `type` (`import { type X }`). (Under `verbatimModuleSyntax` the last kind still compiles to
 * `import {} from`, a load with no binding: the core writes them as `import type`.)
 */
function runtimeImports(source: string): string[] {
  const file = ts.createSourceFile('module.ts', source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const out: string[] = [];
  for (const statement of file.statements) {
    let specifier: ts.Expression | undefined;
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      if (clause !== undefined) {
        if (clause.isTypeOnly) continue;
        const named = clause.namedBindings;
        const onlyTypes =
          clause.name === undefined && named !== undefined && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
        if (onlyTypes) continue;
      }
      specifier = statement.moduleSpecifier;
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier !== undefined) {
      if (statement.isTypeOnly) continue;
      const named = statement.exportClause;
      if (named !== undefined && ts.isNamedExports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly)) continue;
      specifier = statement.moduleSpecifier;
    }
    if (specifier === undefined || !ts.isStringLiteral(specifier) || !specifier.text.startsWith('./')) continue;
    out.push(specifier.text.slice(2).replace(/\.js$/, '.ts'));
  }
  return out;
}

/**
 * One cycle (`a.ts → b.ts → a.ts`) per group of modules that import each other, in name order;
 * when the group is larger than that cycle, all its modules follow in parentheses.
 */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[] {
  // Tarjan's strongly connected components; each component with a cycle is named by one cycle in it.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[] = [];
  let next = 0;
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next);
    next++;
    stack.push(node);
    onStack.add(node);
    for (const to of graph.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node) as number, low.get(to) as number));
      } else if (onStack.has(to)) low.set(node, Math.min(low.get(node) as number, index.get(to) as number));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop() as string;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    const self = (graph.get(node) ?? []).includes(node);
    if (component.length > 1 || self) {
      const cycle = cycleThrough(graph, new Set(component));
      const all = cycle.split(' → ').length - 1 < component.length ? ` (together: ${component.sort().join(', ')})` : '';
      found.push(cycle + all);
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return found.sort();
}

/** A shortest cycle from the first (by name) module of `component` back to it, inside the component. */
function cycleThrough(graph: ReadonlyMap<string, readonly string[]>, component: ReadonlySet<string>): string {
  const start = [...component].sort()[0] as string;
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift() as string;
    for (const to of [...(graph.get(node) ?? [])].sort()) {
      if (!component.has(to)) continue;
      if (to === start) {
        const path = [start];
        for (let n = node; n !== start; n = cameFrom.get(n) as string) path.splice(1, 0, n);
        return [...path, start].join(' → ');
      }
      if (!cameFrom.has(to)) {
        cameFrom.set(to, node);
        queue.push(to);
      }
    }
  }
  throw new Error(`no cycle through ${start}`);
}

function coreGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const name of readdirSync(coreDir).filter((f) => f.endsWith('.ts')).sort()) {
    graph.set(name, runtimeImports(readFileSync(join(coreDir, name), 'utf8')));
  }
  return graph;
}

describe('the import graph of the core', () => {
  it('counts value imports and re-exports as edges, and type-only imports as none', () => {
    const source = [
      "import type { A } from './a.js';",
      "import { type B } from './b.js';",
      "import { type C, c } from './c.js';",
      "import d from './d.js';",
      "export { e } from './e.js';",
      "export type { F } from './f.js';",
      "export { type G } from './g.js';",
      "import './h.js';",
      "import * as i from './i.js';",
      "import { readFileSync } from 'node:fs';",
    ].join('\n');
    assert.deepEqual(runtimeImports(source), ['c.ts', 'd.ts', 'e.ts', 'h.ts', 'i.ts']);
  });

  it('names each cycle it finds, module by module', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts', 'd.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', []],
      ['e.ts', ['e.ts']],
      ['f.ts', ['a.ts', 'd.ts']],
      ['g.ts', ['h.ts']],
      ['h.ts', ['g.ts', 'i.ts']],
      ['i.ts', ['h.ts']],
    ]);
    assert.deepEqual(cycles(graph), [
      'a.ts → b.ts → c.ts → a.ts',
      'e.ts → e.ts',
      'g.ts → h.ts → g.ts (together: g.ts, h.ts, i.ts)',
    ]);
    assert.deepEqual(cycles(new Map([['a.ts', ['b.ts']], ['b.ts', []]])), []);
  });

  it('has no cycle: the core loads bottom up, the classes on top of the engine', () => {
    const graph = coreGraph();
    // The graph is the real one: the classes import the engine, which does not import them.
    assert.ok(graph.get('task-group.ts')?.includes('spawn-into.ts'), 'task-group.ts imports spawn-into.ts');
    assert.ok(graph.get('spawn-into.ts')?.includes('task.ts'), 'spawn-into.ts imports task.ts');
    assert.ok(graph.get('task.ts')?.includes('cancel.ts'), 'task.ts imports cancel.ts');
    const found = cycles(graph);
    assert.deepEqual(found, [], `import cycles in src/core (not type-only):\n  ${found.join('\n  ')}`);
  });
});

/**
 * The module-local constants that bind an import (`const settleTask = importedSettleTask`, see
 * "Hot paths" in src/core/index.ts), as `{ file, local, imported, from }`, and the names each core
 * file exports with `export let` (a binding that changes after load, which such a constant would
 * freeze at its first value).
 */
function hotPathBindings(): { file: string; local: string; imported: string; from: string }[] {
  const out: { file: string; local: string; imported: string; from: string }[] = [];
  for (const file of readdirSync(coreDir).filter((f) => f.endsWith('.ts'))) {
    const source = readFileSync(join(coreDir, file), 'utf8');
    const origin = new Map<string, { imported: string; from: string }>();
    for (const m of source.matchAll(/^import \{([^}]*)\} from '\.\/([^']+)\.js';/gm)) {
      for (const part of (m[1] as string).split(',')) {
        const [imported, local] = part.trim().replace(/^type /, '').split(/\s+as\s+/);
        if (imported) origin.set((local ?? imported).trim(), { imported: imported.trim(), from: `${m[2]}.ts` });
      }
    }
    for (const m of source.matchAll(/^const (\w+) = (\w+);$/gm)) {
      const o = origin.get(m[2] as string);
      if (o !== undefined) out.push({ file, local: m[1] as string, ...o });
    }
  }
  return out;
}

function letExports(file: string): string[] {
  return [...readFileSync(join(coreDir, file), 'utf8').matchAll(/^export let (\w+)/gm)].map((m) => m[1] as string);
}

describe('the hot-path constants of the core', () => {
  it('are found: spawning, settling and awaiting read their imports through them', () => {
    const found = hotPathBindings().map((b) => `${b.file}: ${b.local}`);
    for (const expected of ['spawn-into.ts: hooks', 'settle.ts: recordFinished', 'awaiting.ts: storage', 'spawn.ts: TaskClass']) {
      assert.ok(found.includes(expected), `${expected} among ${found.join(', ')}`);
    }
  });

  it('bind only exports that never change after load (no `export let`)', () => {
    assert.deepEqual(letExports('scope-kind.ts').sort(), ['TaskClass', 'TaskGroupClass'], 'the two late-bound classes are known');
    const frozen = hotPathBindings().filter((b) => letExports(b.from).includes(b.imported));
    assert.deepEqual(frozen, [], 'a module-local constant of an `export let` keeps its value at load, not the later one');
  });
});
