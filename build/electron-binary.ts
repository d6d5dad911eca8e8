import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The installed Electron binary, or null when it was never downloaded (ELECTRON_SKIP_BINARY_DOWNLOAD).
 * Deliberately does not `require('electron')`: since Electron 3x that call tries to download the
 * binary on demand, which fails (slowly) on machines without internet.
 */
export function findElectronBinary(projectRoot: string): string | null {
  const pkgDir = path.join(projectRoot, 'node_modules', 'electron');
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const p = path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH, 'electron');
    return existsSync(p) ? p : null;
  }
  const pathFile = path.join(pkgDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const full = path.join(pkgDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(full) ? full : null;
}
