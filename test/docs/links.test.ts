// Every relative link and every `#anchor` in README.md and docs/*.md leads somewhere: the file
// exists in the repository, and the anchor is a heading of the file it points into, slugged the
// way GitHub does. The README links to every doc, and every doc's contents list its sections.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** The Markdown files checked: the README and every doc. */
const files = ['README.md', ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

/** The text outside fenced code blocks, line by line (a fenced line becomes empty). */
function prose(markdown: string): string[] {
  let fence: string | null = null;
  return markdown.split('\n').map((line) => {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === null && marker !== undefined) {
      fence = marker;
      return '';
    }
    if (fence !== null) {
      if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = null;
      return '';
    }
    return line;
  });
}

/** GitHub's anchor for a heading's text: lowercase, punctuation but `-` and `_` removed, spaces → `-`. */
function slug(heading: string): string {
  // Code spans keep their text as it is; elsewhere a link keeps its text, and inline HTML and
  // emphasis markers go.
  const text = heading
    .split(/(`[^`]*`)/)
    .map((part, i) =>
      i % 2 === 1
        ? part.slice(1, -1)
        : part
            .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
            .replace(/<[^>]+>/g, '')
            .replace(/(\*\*|__|\*)/g, ''),
    )
    .join('');
  return text.trim().toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '').replace(/ /g, '-');
}

/** The anchors of a Markdown file, in order, duplicates numbered `-1`, `-2`, … as GitHub does. */
function anchors(markdown: string): Set<string> {
  const occurrences = new Map<string, number>();
  const out = new Set<string>();
  for (const line of prose(markdown)) {
    for (const match of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) out.add(match[1] as string);
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading === null) continue;
    const base = slug(heading[1] as string);
    let result = base;
    while (occurrences.has(result)) {
      const n = (occurrences.get(base) ?? 0) + 1;
      occurrences.set(base, n);
      result = `${base}-${n}`;
    }
    occurrences.set(result, 0);
    out.add(result);
  }
  return out;
}

/** Every link target of a Markdown file outside code: `[text](target)` and `![alt](target)`. */
function links(markdown: string): { line: number; target: string }[] {
  const out: { line: number; target: string }[] = [];
  for (const [i, line] of prose(markdown).entries()) {
    const text = line.replace(/`[^`]*`/g, '');
    for (const match of text.matchAll(/\]\(<?([^)\s>]+)>?(?:\s+"[^"]*")?\)/g)) out.push({ line: i + 1, target: match[1] as string });
  }
  return out;
}

/** What is wrong with the links of `file` (a path from the repository's root), one line each. */
function brokenLinks(file: string, read: (path: string) => string | undefined): string[] {
  const text = read(file);
  assert.ok(text !== undefined, `${file} exists`);
  const broken: string[] = [];
  for (const { line, target } of links(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
    const hash = target.indexOf('#');
    const path = hash === -1 ? target : target.slice(0, hash);
    const anchor = hash === -1 ? null : decodeURIComponent(target.slice(hash + 1));
    const into = path === '' ? file : normalize(join(dirname(file), decodeURIComponent(path))).replace(/\/$/, '');
    const where = `${file}:${line} → ${target}`;
    if (into.startsWith('..')) {
      broken.push(`${where}: outside the repository`);
      continue;
    }
    const targetText = read(into);
    if (targetText === undefined && !existsSync(join(root, into))) {
      broken.push(`${where}: no such file`);
      continue;
    }
    if (anchor === null) continue;
    if (targetText === undefined || !into.endsWith('.md')) broken.push(`${where}: an anchor into a file that is not Markdown`);
    else if (!anchors(targetText).has(anchor)) broken.push(`${where}: no heading with that anchor in ${into}`);
  }
  return broken;
}

/** Reads a Markdown file of the repository (`undefined` when it is not one). */
function readRepository(path: string): string | undefined {
  const full = join(root, path);
  if (!path.endsWith('.md') || !existsSync(full)) return undefined;
  return readFileSync(full, 'utf8');
}

describe('the links of the README and docs/', () => {
  it('slugs headings as GitHub does', () => {
    assert.equal(slug('The CLI (`tasktree ps PID`)'), 'the-cli-tasktree-ps-pid');
    assert.equal(slug('Inspection (`tasktree/inspect`)'), 'inspection-tasktreeinspect');
    assert.equal(slug('The snapshot schema (`formatVersion: 1`)'), 'the-snapshot-schema-formatversion-1');
    assert.equal(slug('Stacks: where each task is suspended'), 'stacks-where-each-task-is-suspended');
    assert.equal(slug('`run()` and signals — the rules'), 'run-and-signals--the-rules');
    assert.equal(slug('snake_case and [a link](x.md) stay'), 'snake_case-and-a-link-stay');
    assert.equal(slug('`class Task<T>` and <em>html</em>'), 'class-taskt-and-html');
    assert.deepEqual([...anchors('# Notes\n## Notes\n```\n# not a heading\n```\n### Notes\n')], ['notes', 'notes-1', 'notes-2']);
  });

  it('finds a broken file, a broken anchor and a link out of the repository', () => {
    const fake: Record<string, string> = {
      'docs/a.md': '# A\n\n[ok](#a) [bad](#b) [file](../README.md#tasktree) [gone](missing.md) [out](../../x) `[code](#no)`\n',
    };
    const read = (path: string): string | undefined => fake[path] ?? readRepository(path);
    assert.deepEqual(brokenLinks('docs/a.md', read), [
      'docs/a.md:3 → #b: no heading with that anchor in docs/a.md',
      'docs/a.md:3 → missing.md: no such file',
      'docs/a.md:3 → ../../x: outside the repository',
    ]);
  });

  for (const file of files) {
    it(`${file}: every relative link and #anchor resolves`, () => {
      assert.ok(links(readFileSync(join(root, file), 'utf8')).length > 0, `${file} has links`);
      assert.deepEqual(brokenLinks(file, readRepository), []);
    });
  }

  it('the README links to every doc', () => {
    const linked = new Set(links(readFileSync(join(root, 'README.md'), 'utf8')).map(({ target }) => target.split('#')[0]));
    const missing = files.filter((file) => file !== 'README.md' && !linked.has(file));
    assert.deepEqual(missing, []);
  });

  for (const file of files.filter((name) => name.startsWith('docs/'))) {
    it(`${file}: its contents link every section`, () => {
      const text = readFileSync(join(root, file), 'utf8');
      const sections = prose(text).flatMap((line) => /^## (.*)$/.exec(line)?.[1] ?? []).filter((heading) => heading !== 'Contents');
      const own = new Set(links(text).flatMap(({ target }) => (target.startsWith('#') ? [target.slice(1)] : [])));
      assert.ok(sections.length > 0, `${file} has sections`);
      assert.deepEqual(sections.filter((heading) => !own.has(slug(heading))), []);
    });
  }
});
