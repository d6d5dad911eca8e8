import http from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ServerFrame } from '../../shared/contracts/rpc.ts';
import { Dispatcher } from '../services/dispatcher.ts';
import { createHandlers } from '../services/handlers.ts';
import type { Services } from '../services/services.ts';
import { parseRequestTarget } from './request-target.ts';
import { acceptsGzip, staticFiles } from './static-files.ts';

/**
 * Web mode: serves the built renderer on 127.0.0.1 and speaks the contract over a WebSocket at /rpc.
 * Only the page we served may drive it: the WebSocket needs the per-run random token, an Origin of
 * this very server, and a Host header naming loopback (stops DNS-rebinding pages).
 *
 * Any page in the browser can still send it requests, so nothing a request or frame carries may
 * take the process down: malformed targets get 400, every socket and WebSocket has an 'error'
 * handler (ws answers protocol errors with a close code and we only log them), and a handler
 * failure becomes a 500 for that request alone.
 */
export interface WebHostOptions {
  services: Services;
  rendererDir: string;
  port: number;
  /** Fixed token for tests; random otherwise. */
  token?: string;
}

export interface WebHost {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/**
 * Largest frame a client may send. Above every input the contract accepts from the UI (the biggest
 * is report.pdf's 10 MB of HTML, desktop only); report.build refers to results the host already
 * holds instead of sending them back, so the UI's own frames stay small.
 */
export const MAX_FRAME_BYTES = 16 << 20;

export async function startWebHost(opts: WebHostOptions): Promise<WebHost> {
  if (!existsSync(opts.rendererDir)) {
    throw new Error(`the UI is not built (${opts.rendererDir} is missing): run "npm run build" first`);
  }
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const handlers = createHandlers(opts.services);
  let port = opts.port;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  const server = http.createServer((req, res) => {
    serveStatic(req, res).catch(() => {
      // a bug or an I/O error answers this one request, never the process
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end();
    });
  });
  // Bytes node's parser refuses (bad request line, header, sizes) take node's own 'clientError'
  // path: 400/431/408 and the socket is dropped; the process is not involved.

  const loadStatic = staticFiles(opts.rendererDir);
  async function serveStatic(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (!allowedHosts().has(req.headers.host ?? '')) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end('misdirected request');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const target = parseRequestTarget(req.url);
    if (!target) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('bad request target');
      return;
    }
    const file = await loadStatic(target.pathname);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const gzip = file.gzipped !== null && acceptsGzip(req.headers['accept-encoding']);
    const body = gzip ? file.gzipped! : file.body;
    res.writeHead(200, {
      'content-type': file.type,
      'content-length': body.length,
      'cache-control': file.cacheControl,
      ...(file.gzipped ? { vary: 'accept-encoding' } : {}),
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'content-security-policy': [
        "default-src 'self'",
        // wss: for the WebRTC echo's gateway (typed after the page loaded); see electron/main/window.ts
        `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port} wss:`,
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
      ].join('; '),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  wss.on('error', () => {});
  server.on('upgrade', (req, socket, head) => {
    // the raw socket before the handshake: a reset here must not become an uncaught 'error'
    socket.on('error', () => socket.destroy());
    const refuse = (status: string) =>
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    const target = parseRequestTarget(req.url);
    if (!target) return refuse('400 Bad Request');
    const given = Buffer.from(target.searchParams.get('token') ?? '');
    const want = Buffer.from(token);
    const tokenOk = given.length === want.length && timingSafeEqual(given, want);
    const originOk = allowedOrigins().has(req.headers.origin ?? '');
    const hostOk = allowedHosts().has(req.headers.host ?? '');
    if (target.pathname !== '/rpc' || !tokenOk || !originOk || !hostOk) return refuse('403 Forbidden');
    // ws answers a malformed handshake (bad version, key, method) with 400 itself
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws));
  });

  function serveSocket(ws: WebSocket) {
    const send = (frame: ServerFrame) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
    };
    const dispatcher = new Dispatcher(handlers, send);
    // Protocol errors (oversized or unmasked frames, bad UTF-8, opcodes, RSV bits, close codes):
    // ws closes the connection with the matching close code; without this listener the 'error'
    // event would be thrown and end the process.
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => {
      if (isBinary) return void ws.close(1003, 'text frames only');
      let frame: unknown;
      try {
        frame = JSON.parse(data.toString());
      } catch {
        send({ type: 'error', id: '?', error: { code: 'bad-request', message: 'frame is not JSON' } });
        return;
      }
      dispatcher.receive(frame);
    });
    ws.on('close', () => dispatcher.closeAll());
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`port ${opts.port} is already in use on 127.0.0.1`) : err),
    );
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
