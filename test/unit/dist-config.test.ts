import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ELECTRON_VERSION, ROOT } from './support/electron-mirror.ts';

/**
 * `npm run dist` needs the real Electron binary, which cannot be fetched here. What can be checked
 * without it: electron-builder validates build/electron-builder.yml against its schema, then packs
 * the app around a stand-in Electron (`electronDist`) into a linux "dir" target — the same config
 * path the real installers take, minus the binary and the installer tools.
 */
const built = existsSync(path.join(ROOT, 'dist/electron/main.cjs'));
const tmp = mkdtempSync(path.join(os.tmpdir(), 'natscope-dist-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(!built)('npm run dist configuration', () => {
  it('passes electron-builder validation and packs the built app around a stand-in Electron', async () => {
    const electronDist = path.join(tmp, 'electron');
    mkdirSync(electronDist);
    writeFileSync(path.join(electronDist, 'electron'), '#!/bin/sh\nexit 0\n');
    chmodSync(path.join(electronDist, 'electron'), 0o755);
    writeFileSync(path.join(electronDist, 'version'), ELECTRON_VERSION);
    const out = path.join(tmp, 'release');
    const r = spawnSync(
      path.join(ROOT, 'node_modules/.bin/electron-builder'),
      [
        '--config',
        'build/electron-builder.yml',
        '--linux',
        'dir',
        `-c.electronDist=${electronDist}`,
        `-c.electronVersion=${ELECTRON_VERSION}`,
        `-c.directories.output=${out}`,
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 240_000, env: { ...process.env, CI: 'true' } },
    );
    expect(r.stdout + r.stderr).not.toMatch(/Invalid configuration object/);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const app = path.join(out, 'linux-unpacked');
    // The executable carries the configured name; the archive holds the built app and nothing else.
    expect(existsSync(path.join(app, 'natscope'))).toBe(true);
    const { listPackage } = await import('@electron/asar');
    const files = listPackage(path.join(app, 'resources/app.asar'), { isPack: false });
    expect(files).toContain('/dist/electron/main.cjs');
    expect(files).toContain('/dist/electron/preload.cjs');
    expect(files).toContain('/dist/renderer/index.html');
    expect(files).toContain('/package.json');
    expect(files.filter((f) => f.startsWith('/node_modules/'))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
  }, 300_000);
});
