/**
 * SIP over WebSocket — RFC 7118 on RFC 6455, as a SIP transport (transports.ts opens it).
 *
 * - §4 handshake: the upgrade asks for the "sip" subprotocol and fails unless the server picks it.
 * - §5.1 framing: each SIP message is exactly one WebSocket message; we send text frames (SIP is
 *   UTF-8) and accept text or binary. An empty or all-CRLF message is a keep-alive, not SIP.
 * - §5.2 Via transport "WS"/"WSS"; the Via host and the Contact host are a random name under
 *   ".invalid" (transports.ts hands it to the UA), because a WebSocket client cannot be reached on
 *   its own address: the server sends everything back over this connection.
 * - RFC 6455 §5.5.2 pings every `keepAliveMs` keep NATs and proxies from timing the connection out;
 *   a close is reported with its §7.4 code and how long the connection had been idle.
 *
 * The RFC 6455 framing itself is the `ws` package's; it runs over NatScope's own byte pipe (the
 * injected TCP connection, or TLS on it), so the HTTP status of a refused upgrade, the server's
 * close code and the timing are all ours to report.
 */
import { Duplex } from 'node:stream';
import WebSocket from 'ws';
import type { WebSocketStage, WebSocketSummary } from '../../../shared/contracts/websocket.ts';
import { describeClose, describeFailure } from '../../../shared/model/websocket-words.ts';
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import type { Clock, TimerHandle } from '../clock/clock.ts';
import type { BytePipe } from './stream-transport.ts';
import type { SipTransport } from './transport.ts';

export const SIP_SUBPROTOCOL = 'sip';
const MAX_MESSAGE_BYTES = 1024 * 1024;

/** Opening the WebSocket failed; `summary` says where and what the far side answered. */
export class WebSocketSetupError extends Error {
  readonly summary: WebSocketSummary;
  constructor(summary: WebSocketSummary) {
    super(summary.message);
    this.name = 'WebSocketSetupError';
    this.summary = summary;
  }
}

/** The empty summary of a WebSocket to `url`, before anything happened. */
export function initialSummary(url: string): WebSocketSummary {
  return {
    url,
    opened: false,
    failedAt: null,
    httpStatus: null,
    httpReason: null,
    answeredBy: null,
    subprotocol: null,
    openMs: null,
    closeCode: null,
    closeReason: null,
    closedByPeer: false,
    closedAfterSec: null,
    idleBeforeCloseSec: null,
    message: '',
  };
}

/** A failure before the WebSocket layer (TCP connect, TLS), in the same shape. */
export function setupFailure(url: string, stage: WebSocketStage, detail: string): WebSocketSetupError {
  const s = initialSummary(url);
  return new WebSocketSetupError({ ...s, failedAt: stage, message: describeFailure({ url, stage, detail }) });
}

export interface WebSocketOpenOptions {
  url: string;
  pipe: BytePipe;
  clock: Clock;
  /** When the opening started (clock ms; TCP connect and TLS count against the same budget). */
  startedAt: number;
  /** The whole opening must be done by startedAt + timeoutMs. */
  timeoutMs: number;
  signal?: AbortSignal;
  keepAliveMs?: number;
  userAgent?: string;
}

export interface SipWebSocket {
  transport: SipTransport;
  /** What happened so far (read again after a close for the close code). */
  summary(): WebSocketSummary;
}

/** Runs the RFC 6455 opening handshake with subprotocol "sip" over `o.pipe`. */
export function openSipWebSocket(o: WebSocketOpenOptions): Promise<SipWebSocket> {
  const summary = initialSummary(o.url);
  const secure = o.url.startsWith('wss:');
  const ws = new WebSocket(o.url, [SIP_SUBPROTOCOL], {
    createConnection: () => duplexOf(o.pipe) as never,
    perMessageDeflate: false,
    followRedirects: false,
    maxPayload: MAX_MESSAGE_BYTES,
    headers: o.userAgent ? { 'User-Agent': o.userAgent } : undefined,
  });
  return new Promise((resolve, reject) => {
    let timedOut = false;
    let settled = false;
    const remaining = Math.max(0, o.startedAt + o.timeoutMs - o.clock.now());
    const timer = o.clock.setTimeout(() => {
      timedOut = true;
      ws.terminate();
    }, remaining);
    const onAbort = () => ws.terminate();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => {
      settled = true;
      timer.cancel();
      o.signal?.removeEventListener('abort', onAbort);
    };
    const fail = (stage: WebSocketStage, detail?: string) => {
      if (settled) return;
      done();
      void o.pipe.close().catch(() => {});
      summary.failedAt = stage;
      summary.message = describeFailure({
        url: o.url,
        stage,
        httpStatus: summary.httpStatus,
        httpReason: summary.httpReason,
        answeredBy: summary.answeredBy,
        timeoutMs: o.timeoutMs,
        detail,
      });
      reject(o.signal?.aborted ? new Error('aborted') : new WebSocketSetupError({ ...summary }));
    };
    ws.on('unexpected-response', (_req, res) => {
      summary.httpStatus = res.statusCode ?? null;
      summary.httpReason = res.statusMessage || null;
      summary.answeredBy = answeredBy(res.headers);
      fail('http-status');
      ws.terminate();
    });
    ws.on('upgrade', (res) => {
      summary.httpStatus = res.statusCode ?? null;
      summary.httpReason = res.statusMessage || null;
      summary.answeredBy = answeredBy(res.headers);
    });
    ws.on('error', (err: Error & { code?: string }) => {
      if (timedOut) return fail('no-answer');
      const m = err.message;
      if (/no subprotocol|invalid subprotocol|subprotocol but none/i.test(m)) return fail('subprotocol', m);
      if (/Sec-WebSocket|Upgrade header|extension|Parse Error|HPE_/i.test(m) || err.code?.startsWith('HPE_'))
        return fail('not-websocket', m);
      fail('dropped', err.code === 'ECONNRESET' || /hang up/i.test(m) ? 'connection reset' : m);
    });
    ws.on('close', () => {
      if (timedOut) fail('no-answer');
      else fail('dropped', 'connection closed');
    });
    ws.once('open', () => {
      done();
      ws.removeAllListeners();
      summary.opened = true;
      summary.subprotocol = ws.protocol || null;
      summary.openMs = Math.round(o.clock.now() - o.startedAt);
      summary.message = `WebSocket to ${o.url} open (HTTP 101, subprotocol "${ws.protocol}") in ${summary.openMs} ms.`;
      resolve(webSocketTransport(ws, o, summary, secure));
    });
  });
}

function webSocketTransport(
  ws: WebSocket,
  o: WebSocketOpenOptions,
  summary: WebSocketSummary,
  secure: boolean,
): SipWebSocket {
  const listeners = new Set<(text: string, from: Endpoint) => void>();
  const closeListeners = new Set<(e?: Error) => void>();
  const openedAt = o.clock.now();
  let lastActivity = openedAt;
  let weClosed = false;
  let keepAlive: TimerHandle | null = null;
  const scheduleKeepAlive = () => {
    keepAlive = o.clock.setTimeout(() => {
      if (ws.readyState !== WebSocket.OPEN) return;
      ws.ping();
      scheduleKeepAlive();
    }, o.keepAliveMs ?? 30_000);
  };
  scheduleKeepAlive();
  ws.on('error', () => {}); // a 'close' follows every error; that is where it is reported
  ws.on('pong', () => (lastActivity = o.clock.now()));
  ws.on('message', (data: Buffer, _isBinary: boolean) => {
    lastActivity = o.clock.now();
    const text = data.toString('utf8');
    if (text.trim() === '') return; // CRLF keep-alive (SIP.js and JsSIP send "\r\n\r\n")
    for (const l of listeners) l(text, o.pipe.remote);
  });
  ws.on('close', (code: number, reason: Buffer) => {
    keepAlive?.cancel();
    const now = o.clock.now();
    summary.closeCode = code;
    summary.closeReason = reason.toString('utf8') || null;
    summary.closedByPeer = !weClosed;
    summary.closedAfterSec = round((now - openedAt) / 1000);
    summary.idleBeforeCloseSec = round((now - lastActivity) / 1000);
    summary.message = describeClose({
      code,
      reason: summary.closeReason ?? '',
      byPeer: !weClosed,
      closedAfterSec: summary.closedAfterSec,
      idleBeforeCloseSec: summary.idleBeforeCloseSec,
    });
    for (const l of closeListeners) l(new Error(summary.message));
  });
  const transport: SipTransport = {
    protocol: secure ? 'WSS' : 'WS',
    reliable: true,
    local: o.pipe.local,
    remote: o.pipe.remote,
    send: (text) =>
      new Promise((resolve, reject) => {
        if (ws.readyState !== WebSocket.OPEN) return reject(new Error('the WebSocket is closed'));
        lastActivity = o.clock.now();
        ws.send(text, (err) => (err ? reject(err) : resolve()));
      }),
    onMessage(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    onClose(l) {
      closeListeners.add(l);
      return () => closeListeners.delete(l);
    },
    close: () =>
      new Promise((resolve) => {
        keepAlive?.cancel();
        listeners.clear();
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        weClosed = true;
        ws.once('close', () => resolve());
        ws.close(1000);
        // A peer that never answers our close frame must not hold the call open (RFC 6455 §7.1.1).
        o.clock.setTimeout(() => ws.terminate(), 1000);
      }),
  };
  return { transport, summary: () => ({ ...summary }) };
}

/** Who answered the upgrade, from the headers a server or a proxy names itself in. */
function answeredBy(h: Record<string, string | string[] | undefined>): string | null {
  const parts = ['server', 'via', 'proxy-agent']
    .map((k) => [k, h[k]] as const)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k === 'server' ? 'Server' : k === 'via' ? 'Via' : 'Proxy-Agent'}: ${String(v)}`);
  return parts.length ? parts.join('; ').slice(0, 200) : null;
}

/** The byte pipe as the Node stream `ws` (through node:http) reads and writes. */
function duplexOf(pipe: BytePipe): Duplex {
  const d = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      pipe.write(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)).then(() => cb(), cb);
    },
    final(cb) {
      pipe.close().then(() => cb(), cb);
    },
    destroy(err, cb) {
      void pipe.close().catch(() => {});
      cb(err);
    },
  });
  pipe.onData((b) => d.push(Buffer.from(b)));
  pipe.onClose(() => d.push(null));
  return d;
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
