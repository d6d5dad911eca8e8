// Installs the Electron binary on demand with Electron's own installer (node_modules/electron/
// install.js → @electron/get), bounded in time and with progress. Electron 45 no longer downloads
// at `npm install`; `npm start` calls this the first time instead of silently falling back.
// Mirrors, caches and checksums follow Electron's documented variables (ELECTRON_MIRROR,
// ELECTRON_CUSTOM_DIR, electron_config_cache, electron_use_remote_checksums, …): they reach the
// installer unchanged.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findElectronBinary } from './electron-binary.ts';

export interface InstallOptions {
  projectRoot: string;
  /** Give up after this long (default 5 minutes; NATSCOPE_ELECTRON_INSTALL_TIMEOUT seconds). */
  timeoutMs: number;
  /** Give up when nothing arrived for this long (default 60 s). */
  stallMs: number;
  env: NodeJS.ProcessEnv;
  log(line: string): void;
}

export type InstallOutcome = { ok: true; binary: string } | { ok: false; reason: string };

/** Bytes below `dir` (the installer's download lands in a temporary directory there). */
function bytesBelow(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    try {
      total += statSync(path.join(e.parentPath, e.name)).size;
    } catch {
      // a temporary file vanished between listing and stat: the installer moved on
    }
  }
  return total;
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

/** The installer's first error line, e.g. "HTTPError: Response code 404 (Not Found) for http://…". */
function errorLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim());
  return (
    lines.find((l) => /^[A-Za-z]*Error\b|^Error:|ENOTFOUND|ECONNREFUSED|EAI_AGAIN/.test(l)) ??
    lines.find((l) => l !== '') ??
    'no error message'
  );
}

export async function installElectron(o: InstallOptions): Promise<InstallOutcome> {
  const pkgDir = path.join(o.projectRoot, 'node_modules', 'electron');
  let version: string;
  try {
    version = (JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string })
      .version;
  } catch {
    return { ok: false, reason: 'the electron package is missing from node_modules (run "npm ci")' };
  }
  const source = o.env.ELECTRON_MIRROR ?? o.env.npm_config_electron_mirror ?? 'github.com/electron/electron';
  o.log(
    `NatScope: installing Electron ${version} for ${process.platform}-${process.arch} from ${source} (once; later starts use it)…`,
  );
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'natscope-electron-'));
  const child = spawn(process.execPath, [path.join(pkgDir, 'install.js')], {
    cwd: pkgDir,
    // The download goes to TMPDIR first: watching it gives the progress without touching the installer.
    env: { ...o.env, TMPDIR: tmp, TMP: tmp, TEMP: tmp },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8000)));
  child.stdout.on('data', () => {});
  const started = Date.now();
  let lastBytes = 0;
  let lastGrowth = started;
  let stopReason: string | null = null;
  const stop = (reason: string) => {
    stopReason ??= reason;
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  };
  const ticker = setInterval(() => {
    const bytes = bytesBelow(tmp);
    const now = Date.now();
    if (bytes > lastBytes) {
      lastBytes = bytes;
      lastGrowth = now;
      o.log(`NatScope: … ${mb(bytes)} downloaded after ${Math.round((now - started) / 1000)} s`);
    } else if (now - lastGrowth > o.stallMs) {
      stop(`the download stalled (nothing arrived for ${Math.round(o.stallMs / 1000)} s)`);
    }
  }, 2000);
  const deadline = setTimeout(
    () => stop(`the download did not finish within ${Math.round(o.timeoutMs / 1000)} s`),
    o.timeoutMs,
  );
  const code = await new Promise<number | null>((resolve) => {
    child.on('exit', (c) => resolve(c));
    child.on('error', (e) => {
      stderr += `\n${e.message}`;
      resolve(-1);
    });
  });
  clearInterval(ticker);
  clearTimeout(deadline);
  rmSync(tmp, { recursive: true, force: true });
  if (stopReason) return { ok: false, reason: stopReason };
  if (code !== 0) return { ok: false, reason: `Electron's installer failed: ${errorLine(stderr)}` };
  const binary = findElectronBinary(o.projectRoot);
  if (!binary) return { ok: false, reason: "Electron's installer finished but left no binary" };
  o.log(`NatScope: Electron ${version} installed (${Math.round((Date.now() - started) / 1000)} s).`);
  return { ok: true, binary };
}
