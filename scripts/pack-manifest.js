// `npm pack` (and publish) around the tarball: the package as installed runs no script, so npm 11's
// install-script check has nothing to warn about. `prepare` builds a clone or a git-URL install;
// the packed package.json goes without it (`strip`, from prepack), and the working copy gets it
// back afterwards (`restore`, from postpack). A pack that fails between the two leaves `prepare`
// out of package.json: `git checkout package.json` puts it back.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package.json', import.meta.url);
const text = readFileSync(file, 'utf8');
const manifest = JSON.parse(text);
const mode = process.argv[2];
const PREPARE = 'npm run build';

if (mode === 'strip') {
  delete manifest.scripts.prepare;
} else if (mode === 'restore') {
  manifest.scripts = { build: manifest.scripts.build, prepare: PREPARE, ...manifest.scripts };
} else {
  console.error('usage: node scripts/pack-manifest.js strip|restore');
  process.exit(2);
}
writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
