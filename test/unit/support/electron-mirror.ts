import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { zip } from './zip.ts';

export const ROOT = path.resolve(import.meta.dirname, '../../..');
export const ELECTRON_VERSION = (
  JSON.parse(readFileSync(path.join(ROOT, 'node_modules/electron/package.json'), 'utf8')) as {
    version: string;
  }
).version;

/**
 * A stand-in "electron" for the platform's release zip: a shell script that records how it was
 * started (its arguments) in $NATSCOPE_STANDIN_MARKER and exits 0.
 */
export function standInRelease(): { fileName: string; zip: Buffer } {
  const script =
    '#!/bin/sh\necho "stand-in electron started with: $*" > "$NATSCOPE_STANDIN_MARKER"\nexit 0\n';
  return {
    fileName: `electron-v${ELECTRON_VERSION}-${process.platform}-${process.arch}.zip`,
    zip: zip([
      { name: 'electron', data: Buffer.from(script), mode: 0o755 },
      { name: 'version', data: Buffer.from(ELECTRON_VERSION) },
    ]),
  };
}

export type MirrorBehaviour = 'serve' | 'not-found' | 'hang';

/**
 * An Electron release mirror on loopback, laid out as ELECTRON_MIRROR + ELECTRON_CUSTOM_DIR
 * ("{{ version }}") + file name, serving the stand-in zip and its SHASUMS256.txt.
 */
export async function startMirror(behaviour: MirrorBehaviour) {
  const release = standInRelease();
  const sha = createHash('sha256').update(release.zip).digest('hex');
  const requests: string[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    if (behaviour === 'hang') return; // accept, never answer
    const base = `/${ELECTRON_VERSION}/`;
    if (behaviour === 'serve' && req.url === `${base}${release.fileName}`) {
      res.writeHead(200, { 'content-length': release.zip.length }).end(release.zip);
    } else if (behaviour === 'serve' && req.url === `${base}SHASUMS256.txt`) {
      res.end(`${sha} *${release.fileName}\n`);
    } else res.writeHead(404).end('not found');
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/**
 * A throw-away copy of the project for `build/start.ts`: its own node_modules/electron (no binary
 * yet; the real package's installer files), every other dependency linked, dist linked. The
 * installer then writes into the copy, never into the worktree's node_modules.
 */
export function tempProject(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'natscope-start-'));
  cpSync(path.join(ROOT, 'build'), path.join(dir, 'build'), { recursive: true });
  cpSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
  symlinkSync(path.join(ROOT, 'dist'), path.join(dir, 'dist'));
  mkdirSync(path.join(dir, 'node_modules'));
  for (const name of readdirSync(path.join(ROOT, 'node_modules'))) {
    if (name === 'electron' || name === '.bin' || name.startsWith('.')) continue;
    symlinkSync(path.join(ROOT, 'node_modules', name), path.join(dir, 'node_modules', name));
  }
  const electron = path.join(dir, 'node_modules', 'electron');
  mkdirSync(electron);
  for (const f of ['package.json', 'install.js', 'index.js', 'cli.js', 'checksums.json'])
    cpSync(path.join(ROOT, 'node_modules/electron', f), path.join(electron, f));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
