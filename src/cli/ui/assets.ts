/**
 * The page's files, read once into memory: the compiled scripts (dist/src/ui, built by
 * tsconfig.ui.json) and the static files (src/ui/page: HTML, CSS, icon), both shipped in the
 * package. The server answers only paths in this table, so no request reaches the file system.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

const SCRIPTS = fileURLToPath(new URL('../../ui/', import.meta.url));
const STATIC = fileURLToPath(new URL('../../../../src/ui/page/', import.meta.url));

function files(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...files(path));
    else out.push(path);
  }
  return out;
}

function urlPath(prefix: string, root: string, file: string): string {
  return `${prefix}${relative(root, file).split(sep).join('/')}`;
}

/**
 * The page's files by URL path: `/` (index.html), `/app/…` (scripts of dist/src/ui) and
 * `/app/page/…` (static files of src/ui/page, next to the page's scripts).
 * @throws Error naming the folder when the page was not built (`npm run build`).
 */
export function loadAssets(): ReadonlyMap<string, Asset> {
  const table = new Map<string, Asset>();
  try {
    for (const file of files(SCRIPTS)) {
      if (extname(file) === '.js') table.set(urlPath('/app/', SCRIPTS, file), { type: TYPES['.js'] as string, body: readFileSync(file) });
    }
    for (const file of files(STATIC)) {
      const type = TYPES[extname(file)];
      if (type === undefined || extname(file) === '.js') continue;
      const body = readFileSync(file);
      if (file.endsWith(`${sep}index.html`)) table.set('/', { type, body });
      else table.set(urlPath('/app/page/', STATIC, file), { type, body });
    }
  } catch (error) {
    throw new Error(`the page of tasktree ui is missing (${(error as Error).message}); build it with npm run build`);
  }
  if (!table.has('/') || !table.has('/app/page/main.js')) {
    throw new Error(`the page of tasktree ui is incomplete in ${SCRIPTS} and ${STATIC}; build it with npm run build`);
  }
  return table;
}
