/** Opens the system browser on the page, when the machine has a way to (`xdg-open`, `open`). */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The opener command for this platform, if one is on `PATH`. */
export function findOpener(platform: NodeJS.Platform = process.platform, path = process.env['PATH'] ?? ''): string | null {
  const name = platform === 'darwin' ? 'open' : platform === 'win32' ? null : 'xdg-open';
  if (name === null) return null;
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // Not here.
    }
  }
  return null;
}

/**
 * Starts the opener on `url` without waiting for it (it never keeps the CLI alive). `report` is
 * called with a sentence when there is no opener, or when it fails.
 */
export function openBrowser(url: string, report: (message: string) => void): void {
  const opener = findOpener();
  if (opener === null) {
    report('no xdg-open or open found to start a browser: open the address above in one');
    return;
  }
  const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
  child.on('error', (error) => report(`could not run ${opener} (${error.message}): open the address above in a browser`));
  child.on('exit', (code) => {
    if (code !== 0 && code !== null) report(`${opener} exited with code ${code}: open the address above in a browser`);
  });
  child.unref();
}
