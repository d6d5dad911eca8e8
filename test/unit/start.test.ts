import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startMirror, tempProject, type MirrorBehaviour } from './support/electron-mirror.ts';

/**
 * `npm start` = build, then build/start.ts. These tests run build/start.ts in a copy of the project
 * whose Electron binary is not installed, against a loopback mirror set with Electron's own
 * variables: the installer really downloads, verifies (SHA-256 from the mirror's SHASUMS256.txt)
 * and unpacks a stand-in release, and start.ts then launches what it unpacked.
 */
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** The environment a user would have: no ELECTRON_SKIP_BINARY_DOWNLOAD, a display, no proxy. */
function userEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, DISPLAY: ':99', ...extra };
  return env;
}

async function runStart(behaviour: MirrorBehaviour, extra: Record<string, string> = {}, untilLine?: RegExp) {
  const mirror = await startMirror(behaviour);
  cleanups.push(() => mirror.close());
  const project = tempProject();
  cleanups.push(() => project.cleanup());
  const marker = path.join(project.dir, 'launched.txt');
  const child = spawn(process.execPath, [path.join(project.dir, 'build/start.ts'), '--port', '0'], {
    cwd: project.dir,
    env: userEnv({
      ELECTRON_MIRROR: mirror.url,
      ELECTRON_CUSTOM_DIR: '{{ version }}',
      electron_config_cache: path.join(project.dir, 'cache'),
      electron_use_remote_checksums: '1',
      NATSCOPE_STANDIN_MARKER: marker,
      ...extra,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: the web-mode fallback it may start goes with it.
    detached: true,
  });
  cleanups.push(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  });
  let out = '';
  const done = new Promise<number | null>((resolve) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      if (untilLine?.test(out)) {
        child.kill('SIGTERM');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => resolve(code));
  });
  const code = await done;
  return { code, out, marker, mirror, project };
}

describe('npm start: the desktop app, installed on demand', () => {
  it('installs Electron through the mirror with its own installer, then launches it', async () => {
    const r = await runStart('serve');
    expect(r.out).toMatch(/installing Electron \d+\.\d+\.\d+ for \w+-\w+ from http:\/\/127\.0\.0\.1:\d+\//);
    expect(r.out).toMatch(/Electron \d+\.\d+\.\d+ installed/);
    expect(r.out).not.toContain('web mode');
    expect(r.code).toBe(0);
    // The installer fetched the release and its checksums from the mirror, in that layout.
    expect(r.mirror.requests.some((u) => u.endsWith('.zip'))).toBe(true);
    expect(r.mirror.requests.some((u) => u.endsWith('/SHASUMS256.txt'))).toBe(true);
    // What was launched is the unpacked stand-in, with the app's main script.
    expect(readFileSync(path.join(r.project.dir, 'node_modules/electron/path.txt'), 'utf8')).toBe('electron');
    expect(readFileSync(r.marker, 'utf8')).toMatch(
      /stand-in electron started with: .*dist\/electron\/main\.cjs/,
    );
  }, 60_000);

  it('falls back to web mode naming the real reason when the download fails', async () => {
    const r = await runStart('not-found', {}, /starting web mode instead/);
    expect(r.out).toMatch(
      /the Electron binary could not be installed: Electron's installer failed: .*404.* — starting web mode instead/,
    );
    expect(existsSync(r.marker)).toBe(false);
  }, 60_000);

  it('gives up on a download that never arrives, within its time bound', async () => {
    const t0 = Date.now();
    const r = await runStart('hang', { NATSCOPE_ELECTRON_INSTALL_TIMEOUT: '3' }, /starting web mode instead/);
    expect(r.out).toMatch(/the download (did not finish within 3 s|stalled)/);
    expect(Date.now() - t0).toBeLessThan(45_000);
  }, 60_000);

  it('respects ELECTRON_SKIP_BINARY_DOWNLOAD and says that is why', async () => {
    const r = await runStart('serve', { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' }, /starting web mode instead/);
    expect(r.out).toMatch(/ELECTRON_SKIP_BINARY_DOWNLOAD=1 is set/);
    expect(r.mirror.requests).toEqual([]);
  }, 60_000);

  it('without a display says so before downloading anything', async () => {
    const r = await runStart('serve', { DISPLAY: '' }, /starting web mode instead/);
    expect(r.out).toMatch(/no display for the desktop app/);
    expect(r.mirror.requests).toEqual([]);
  }, 60_000);
});
