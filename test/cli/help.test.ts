// `tasktree --help` and the README (and docs/) list every option and every exit code the CLI has.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { OPTIONS } from '../../src/cli/args.js';
import { help } from '../../src/cli/cli.js';
import { EXIT_CODE_HELP } from '../../src/cli/exit-codes.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function markdown(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? markdown(path) : entry.endsWith('.md') ? [readFileSync(path, 'utf8')] : [];
  });
}

/** The README and the docs, where the CLI is described. */
const docs = [readFileSync(join(root, 'README.md'), 'utf8'), ...markdown(join(root, 'docs'))].join('\n');

/** The paragraph that starts with `Exit codes:`. */
function exitCodeParagraph(text: string): string {
  const start = text.indexOf('Exit codes:');
  assert.ok(start !== -1, 'an "Exit codes:" paragraph');
  const end = text.indexOf('\n\n', start);
  return text.slice(start, end === -1 ? undefined : end);
}

describe('the CLI documentation', () => {
  it('--help names every option, with its value', () => {
    for (const [name, spec] of Object.entries(OPTIONS)) {
      assert.ok(help().includes(spec.value === null ? name : `${name} ${spec.value}`), `${name} in --help`);
    }
  });

  it('the README and docs/ name every option', () => {
    for (const name of Object.keys(OPTIONS)) assert.ok(docs.includes(name), `${name} in the README or docs/`);
  });

  it('--help and the docs (docs/cli.md) list every exit code', () => {
    const paragraph = exitCodeParagraph(docs);
    for (const [code] of EXIT_CODE_HELP) {
      assert.match(help(), new RegExp(`^  ${code} +\\S`, 'm'), `exit code ${code} in --help`);
      assert.match(paragraph, new RegExp(`(^|[\\s,])${code} \\S`), `exit code ${code} in the docs`);
    }
    const highest = Math.max(...EXIT_CODE_HELP.map(([code]) => code));
    assert.doesNotMatch(paragraph, new RegExp(`[\\s,]${highest + 1} [a-z]`), 'no exit code the CLI does not have');
  });
});
