// Web mode's static files (issue #13): hashed assets cached for a year, index.html revalidated,
// text gzipped when the browser accepts it, nothing outside the UI folder.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../services/services.ts';
import { startWebHost, type WebHost } from './server.ts';
import { acceptsGzip, staticFiles } from './static-files.ts';

const JS = `export const x = ${JSON.stringify('natscope '.repeat(2000))};\n`;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'natscope-static-'));
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(
    path.join(dir, 'index.html'),
    `<!doctype html><title>NatScope</title>${'<p>x</p>'.repeat(300)}`,
  );
  writeFileSync(path.join(dir, 'assets', 'index-BzHgW3R4.js'), JS);
  writeFileSync(path.join(dir, 'assets', 'logo.png'), Buffer.alloc(4096, 7));
  writeFileSync(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
});

describe('static files', () => {
  it('hashed assets are immutable for a year; index.html and unhashed files are revalidated', async () => {
    const load = staticFiles(dir);
    expect((await load('/assets/index-BzHgW3R4.js'))!.cacheControl).toBe(
      'public, max-age=31536000, immutable',
    );
    expect((await load('/'))!.cacheControl).toBe('no-cache');
    expect((await load('/favicon.svg'))!.cacheControl).toBe('no-cache');
    expect((await load('/assets/logo.png'))!.cacheControl).toBe('no-cache');
  });

  it('text over 1 KiB is gzipped once; images and tiny files are not', async () => {
    const load = staticFiles(dir);
    const js = (await load('/assets/index-BzHgW3R4.js'))!;
    expect(gunzipSync(js.gzipped!).toString()).toBe(JS);
    expect(js.gzipped!.length).toBeLessThan(js.body.length / 10);
    expect(await load('/assets/index-BzHgW3R4.js')).toBe(js);
    expect((await load('/assets/logo.png'))!.gzipped).toBeNull();
    expect((await load('/favicon.svg'))!.gzipped).toBeNull();
  });

  it('nothing outside the folder, and a missing file is null', async () => {
    const load = staticFiles(dir);
    expect(await load('/../etc/passwd')).toBeNull();
    expect(await load('/%2e%2e/%2e%2e/etc/passwd')).toBeNull();
    expect(await load('/assets/nope-12345678.js')).toBeNull();
  });

  it('Accept-Encoding: gzip listed, or * , with q > 0', () => {
    expect(acceptsGzip('gzip, deflate, br, zstd')).toBe(true);
    expect(acceptsGzip('br;q=1.0, gzip;q=0.8')).toBe(true);
    expect(acceptsGzip('*')).toBe(true);
    expect(acceptsGzip('gzip;q=0')).toBe(false);
    expect(acceptsGzip('*;q=0.5, gzip;q=0')).toBe(false);
    expect(acceptsGzip('identity')).toBe(false);
    expect(acceptsGzip('')).toBe(false);
    expect(acceptsGzip(undefined)).toBe(false);
  });
});

describe('web host over HTTP', () => {
  let host: WebHost;
  beforeAll(async () => {
    const services = { app: { info: async () => ({ version: 'test' }) } } as unknown as Services;
    host = await startWebHost({ services, rendererDir: dir, port: 0 });
  });
  afterAll(() => host.close());

  const get = (p: string, encoding?: string) =>
    new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const req = http.get(
        {
          host: '127.0.0.1',
          port: host.port,
          path: p,
          headers: encoding ? { 'accept-encoding': encoding } : {},
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        },
      );
      req.on('error', reject);
    });

  it('gzip when the browser accepts it, the same bytes otherwise, Vary either way', async () => {
    const zipped = await get('/assets/index-BzHgW3R4.js', 'gzip, deflate, br');
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toBe('accept-encoding');
    expect(zipped.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(Number(zipped.headers['content-length'])).toBe(zipped.body.length);
    expect(gunzipSync(zipped.body).toString()).toBe(JS);
    const plain = await get('/assets/index-BzHgW3R4.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toBe('accept-encoding');
    expect(plain.body.toString()).toBe(JS);
    const index = await get('/', 'gzip');
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(gunzipSync(index.body).toString()).toContain('<title>NatScope</title>');
  });
});
