import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/** Vite names built assets `name-<hash>.ext`: their content never changes under that name. */
const HASHED_ASSET = /^assets\/[^/]+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;
const COMPRESSIBLE = /^(text\/|application\/json|image\/svg\+xml)/;
/** Below this gzip's header and footer eat most of the saving. */
const GZIP_MIN_BYTES = 1024;

export interface StaticFile {
  body: Buffer;
  type: string;
  /** Cache-Control: a year and immutable for hashed assets, revalidate for everything else (index.html). */
  cacheControl: string;
  /** The body gzipped (compressible types over 1 KiB), made once per file and kept. */
  gzipped: Buffer | null;
}

/** Resolves a URL path inside `root`, refusing anything that escapes it (../, encoded slashes). */
export function resolveStatic(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0]!);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const rel = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const full = path.resolve(root, rel);
  if (full !== root && !full.startsWith(root + path.sep)) return null;
  return full;
}

/**
 * Static files of the built renderer, read once and kept with their gzipped form (only files that
 * exist under the root can enter, so the cache is bounded by the build's size).
 */
export function staticFiles(root: string): (urlPath: string) => Promise<StaticFile | null> {
  const cache = new Map<string, StaticFile>();
  return async (urlPath) => {
    const full = resolveStatic(root, urlPath);
    if (!full) return null;
    const hit = cache.get(full);
    if (hit) return hit;
    let body: Buffer;
    try {
      body = await readFile(full);
    } catch {
      return null;
    }
    const type = MIME[path.extname(full)] ?? 'application/octet-stream';
    const rel = path.relative(root, full).split(path.sep).join('/');
    const file: StaticFile = {
      body,
      type,
      cacheControl: HASHED_ASSET.test(rel) ? 'public, max-age=31536000, immutable' : 'no-cache',
      gzipped: COMPRESSIBLE.test(type) && body.length >= GZIP_MIN_BYTES ? gzipSync(body) : null,
    };
    cache.set(full, file);
    return file;
  };
}

/** Whether an Accept-Encoding header allows gzip (RFC 9110 §12.5.3: listed, or `*`, with q > 0). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  let star = false;
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    const ok = q === undefined || Number(q) > 0;
    if (name.trim() === 'gzip') return ok;
    if (name.trim() === '*') star = ok;
  }
  return star;
}
