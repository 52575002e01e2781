// A real Chromium for the browser tests, installed by `npm ci` alone: the `@sparticuz/chromium`
// package ships the binary (brotli-compressed) inside the package, and `playwright-core` drives it.
//
// The binary is unpacked once into node_modules/.cache (not the package's own `executablePath()`,
// which unpacks into the shared /tmp/chromium and returns whatever file is there — another
// version's, or one half written by a test file running at the same time). Unpacking goes to a
// temporary name first and is renamed into place, so concurrent test files never see a partial file.
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createBrotliDecompress } from 'node:zlib';
import { chromium } from 'playwright-core';
import type { Browser, LaunchOptions } from 'playwright-core';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Where `@sparticuz/chromium` keeps its compressed files, and its version. */
function packaged(): { bin: string; version: string } {
  const entry = require.resolve('@sparticuz/chromium');
  const dir = join(dirname(entry), '..');
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string };
  return { bin: join(dir, 'bin'), version: pkg.version };
}

/** The path of the unpacked Chromium, unpacking it on first use. */
export async function chromiumPath(): Promise<string> {
  const { bin, version } = packaged();
  const dir = join(root, 'node_modules', '.cache', `tasktree-chromium-${version}`);
  const executable = join(dir, 'chromium');
  if (existsSync(executable)) return executable;
  mkdirSync(dir, { recursive: true });
  const partial = `${executable}.${process.pid}.partial`;
  await pipeline(createReadStream(join(bin, 'chromium.br')), createBrotliDecompress(), createWriteStream(partial, { mode: 0o755 }));
  renameSync(partial, executable);
  return executable;
}

/**
 * The flags: headless, no network of its own (the machine has none), no GPU. `--no-sandbox` only
 * as root, where Chromium refuses to start without it. Not `--disable-web-security`: under it
 * Chromium sends no `Origin` on the page's own POSTs, and the Origin checks are part of what is tested.
 */
export function chromiumArgs(): string[] {
  const args = ['--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic', '--disable-gpu'];
  if (process.getuid?.() === 0) args.unshift('--no-sandbox');
  return args;
}

/** Launches the browser (one per test file; close it in `after`). */
export async function launchBrowser(extraArgs: readonly string[] = [], options: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch({ executablePath: await chromiumPath(), args: [...chromiumArgs(), ...extraArgs], headless: true, timeout: 30_000, ...options });
}
