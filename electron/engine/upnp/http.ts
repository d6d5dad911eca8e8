/**
 * A small HTTP/1.1 client (RFC 9112) for UPnP description and control (SOAP) requests over the
 * injected `Network`. Bounded: one deadline for the whole exchange, caps on header and body
 * size, Content-Length or chunked bodies or read-to-close. `Connection: close` on every request
 * (miniupnpd and most IGDs close anyway).
 */
import type { Clock } from '../clock/clock.ts';
import type { Network, TcpConnection } from '../net/network.ts';

export interface HttpRequestOptions {
  method: 'GET' | 'POST';
  url: URL;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  maxBodyBytes: number;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  reason: string;
  headers: Map<string, string>;
  body: string;
}

export class HttpError extends Error {
  readonly kind: 'timeout' | 'unreachable' | 'malformed' | 'too-large';
  constructor(kind: HttpError['kind'], message: string) {
    super(message);
    this.name = 'HttpError';
    this.kind = kind;
  }
}

const MAX_HEADER_BYTES = 16 * 1024;

export async function httpRequest(
  network: Network,
  clock: Clock,
  req: HttpRequestOptions,
): Promise<HttpResponse> {
  const { url } = req;
  if (url.protocol !== 'http:')
    throw new HttpError('malformed', `only http: URLs are fetched, not ${url.protocol}`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port ? Number(url.port) : 80;
  const started = clock.now();
  let conn: TcpConnection;
  try {
    conn = await network.connectTcp({
      remote: { address: host, port },
      timeoutMs: req.timeoutMs,
      signal: req.signal,
    });
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new HttpError(
      /timed out/.test(msg) ? 'timeout' : 'unreachable',
      `HTTP connect to ${url.host}: ${msg}`,
    );
  }
  const body = req.body !== undefined ? new TextEncoder().encode(req.body) : undefined;
  const lines = [
    `${req.method} ${url.pathname}${url.search} HTTP/1.1`,
    `Host: ${url.host}`,
    'Connection: close',
    'User-Agent: NatScope UPnP/1.1',
    ...Object.entries(req.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    ...(body ? [`Content-Length: ${body.length}`] : []),
    '',
    '',
  ];
  const head = new TextEncoder().encode(lines.join('\r\n'));
  const remaining = Math.max(1, req.timeoutMs - (clock.now() - started));
  try {
    return await new Promise<HttpResponse>((resolve, reject) => {
      const chunks: Uint8Array[] = [];
      let total = 0;
      let settled = false;
      const finish = (err: Error | null, res?: HttpResponse) => {
        if (settled) return;
        settled = true;
        timer.cancel();
        unData();
        unClose();
        req.signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(res!);
      };
      const onAbort = () =>
        finish(req.signal?.reason instanceof Error ? req.signal.reason : new Error('aborted'));
      const timer = clock.setTimeout(
        () =>
          finish(
            new HttpError(
              'timeout',
              `HTTP ${req.method} ${url.href}: no complete answer within ${req.timeoutMs} ms`,
            ),
          ),
        remaining,
      );
      req.signal?.addEventListener('abort', onAbort, { once: true });
      const tryParse = (closed: boolean) => {
        const buf = concat(chunks, total);
        try {
          const res = parseHttpResponse(buf, closed, req.maxBodyBytes);
          if (res) finish(null, res);
          else if (closed)
            finish(
              new HttpError(
                'malformed',
                `HTTP ${url.href}: connection closed before the answer was complete`,
              ),
            );
        } catch (err) {
          finish(err instanceof Error ? err : new Error(String(err)));
        }
      };
      const unData = conn.onData((d) => {
        chunks.push(d);
        total += d.length;
        if (total > MAX_HEADER_BYTES + req.maxBodyBytes + 64 * 1024) {
          finish(
            new HttpError('too-large', `HTTP ${url.href}: answer larger than ${req.maxBodyBytes} bytes`),
          );
          return;
        }
        tryParse(false);
      });
      const unClose = conn.onClose(() => tryParse(true));
      conn
        .write(body ? concat([head, body], head.length + body.length) : head)
        .catch((err: unknown) =>
          finish(
            new HttpError(
              'unreachable',
              `HTTP write failed: ${err instanceof Error ? err.message : String(err)}`,
            ),
          ),
        );
    });
  } finally {
    void conn.close();
  }
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

function indexOfCrlfCrlf(buf: Uint8Array): number {
  for (let i = 0; i + 3 < buf.length; i++) {
    if (buf[i] === 13 && buf[i + 1] === 10 && buf[i + 2] === 13 && buf[i + 3] === 10) return i;
  }
  return -1;
}

/**
 * Parses a response from the bytes received so far; returns null when more bytes are needed.
 * `closed` = the peer closed, so a body without framing ends here.
 */
export function parseHttpResponse(
  buf: Uint8Array,
  closed: boolean,
  maxBodyBytes: number,
): HttpResponse | null {
  const end = indexOfCrlfCrlf(buf);
  if (end < 0) {
    if (buf.length > MAX_HEADER_BYTES) throw new HttpError('too-large', 'HTTP header larger than 16 KiB');
    return null;
  }
  const headText = new TextDecoder('latin1').decode(buf.subarray(0, end));
  const lines = headText.split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
  if (!status)
    throw new HttpError('malformed', `not an HTTP status line: "${(lines[0] ?? '').slice(0, 60)}"`);
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new HttpError('malformed', `malformed HTTP header "${line.slice(0, 60)}"`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  const rest = buf.subarray(end + 4);
  let body: Uint8Array | null;
  const te = headers.get('transfer-encoding')?.toLowerCase();
  if (te && te !== 'identity') {
    if (te !== 'chunked') throw new HttpError('malformed', `unsupported transfer-encoding "${te}"`);
    body = dechunk(rest, maxBodyBytes);
  } else if (headers.has('content-length')) {
    const cl = headers.get('content-length')!;
    if (!/^\d{1,10}$/.test(cl)) throw new HttpError('malformed', `bad Content-Length "${cl.slice(0, 20)}"`);
    const n = Number(cl);
    if (n > maxBodyBytes)
      throw new HttpError('too-large', `body of ${n} bytes exceeds the ${maxBodyBytes}-byte limit`);
    body = rest.length >= n ? rest.subarray(0, n) : null;
  } else {
    if (rest.length > maxBodyBytes)
      throw new HttpError('too-large', `body exceeds the ${maxBodyBytes}-byte limit`);
    body = closed ? rest : null;
  }
  if (body === null) return null;
  return {
    status: Number(status[1]),
    reason: status[2] ?? '',
    headers,
    body: new TextDecoder('utf-8', { fatal: false }).decode(body),
  };
}

/** Decodes a chunked body; null while incomplete. */
function dechunk(buf: Uint8Array, maxBodyBytes: number): Uint8Array | null {
  const parts: Uint8Array[] = [];
  let total = 0;
  let off = 0;
  while (true) {
    let lineEnd = -1;
    for (let i = off; i + 1 < buf.length && i < off + 64; i++) {
      if (buf[i] === 13 && buf[i + 1] === 10) {
        lineEnd = i;
        break;
      }
    }
    if (lineEnd < 0) {
      if (buf.length - off >= 64) throw new HttpError('malformed', 'malformed chunk size line');
      return null;
    }
    const sizeText = new TextDecoder('latin1').decode(buf.subarray(off, lineEnd)).split(';')[0]!.trim();
    if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText))
      throw new HttpError('malformed', `bad chunk size "${sizeText.slice(0, 20)}"`);
    const size = parseInt(sizeText, 16);
    if (size === 0) return concat(parts, total);
    total += size;
    if (total > maxBodyBytes)
      throw new HttpError('too-large', `chunked body exceeds the ${maxBodyBytes}-byte limit`);
    const start = lineEnd + 2;
    if (buf.length < start + size + 2) return null;
    parts.push(buf.subarray(start, start + size));
    off = start + size + 2;
  }
}
