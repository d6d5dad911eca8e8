/**
 * SIP over one TCP or TLS connection to the next hop — RFC 3261 §18 (framing in stream-framing.ts)
 * and RFC 5626 §3.5.1 CRLF keep-alive: we send a CRLFCRLF ping every `keepAliveMs` (0: never, for
 * a test that must keep the connection silent), answer the peer's pings with a CRLF pong and report
 * the peer's pongs. TLS (RFC 3261 §26.2.1, RFC 5922) runs on top of the injected
 * TcpConnection via node:tls with certificate verification on and SNI set to the server name.
 */
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import type { Clock, TimerHandle } from '../clock/clock.ts';
import type { TcpConnection } from '../net/network.ts';
import { StreamFramer } from './stream-framing.ts';
import type { SipTransport } from './transport.ts';

/** A byte pipe: the injected TCP connection itself, or TLS wrapped around it. */
export interface BytePipe {
  local: Endpoint;
  remote: Endpoint;
  write(data: Uint8Array): Promise<void>;
  onData(l: (d: Uint8Array) => void): void;
  onClose(l: (e?: Error) => void): void;
  close(): Promise<void>;
}

export function tcpPipe(conn: TcpConnection): BytePipe {
  return {
    local: conn.local,
    remote: conn.remote,
    write: (d) => conn.write(d),
    onData: (l) => void conn.onData(l),
    onClose: (l) => void conn.onClose(l),
    close: () => conn.close(),
  };
}

/**
 * Why a TLS connection could not be set up: the peer's certificate (not trusted, wrong name,
 * expired) or the handshake itself (timeout, the port does not speak TLS, reset).
 */
export class TlsSetupError extends Error {
  readonly kind: 'certificate' | 'handshake';
  constructor(kind: 'certificate' | 'handshake', message: string) {
    super(message);
    this.name = 'TlsSetupError';
    this.kind = kind;
  }
}

/** OpenSSL / Node verification error codes that mean "the certificate", not "the handshake". */
const CERT_ERROR =
  /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY|DECRYPT)|ALTNAME|HOSTNAME|ISSUER|CHAIN|SIGNATURE_FAILURE/i;

function describeTlsError(err: Error & { code?: string }, o: TlsOptions): TlsSetupError {
  const code = err.code ?? '';
  if (CERT_ERROR.test(code)) {
    const what =
      code === 'ERR_TLS_CERT_ALTNAME_INVALID'
        ? `its certificate does not name ${o.serverName} (${err.message.replace(/^Hostname\/IP does not match certificate's altnames: /, '')}); connect by a name the certificate carries`
        : `its certificate is not trusted (${code}: ${err.message.split('.')[0]})`;
    return new TlsSetupError(
      'certificate',
      `TLS with ${o.serverName} failed: ${what}. If the server uses a private or company CA, pass that CA's certificate with --ca FILE (PEM).`,
    );
  }
  return new TlsSetupError(
    'handshake',
    `TLS handshake with ${o.serverName} failed: ${err.message}${code ? ` (${code})` : ''}`,
  );
}

export interface TlsOptions {
  /** SNI and the name the certificate must match (RFC 5922 §7.2). */
  serverName: string;
  /** Extra trusted CA certificates (PEM), e.g. a lab or company CA. */
  ca?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Runs a TLS client over an already connected TcpConnection; verification is never disabled. */
export async function tlsPipe(conn: TcpConnection, o: TlsOptions): Promise<BytePipe> {
  const duplex = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      conn.write(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)).then(() => cb(), cb);
    },
    final(cb) {
      conn.close().then(() => cb(), cb);
    },
  });
  conn.onData((d) => duplex.push(Buffer.from(d)));
  conn.onClose(() => duplex.push(null));
  const isIp = /^[\d.]+$|:/.test(o.serverName);
  const socket = tls.connect({
    socket: duplex,
    servername: isIp ? undefined : o.serverName,
    host: o.serverName,
    rejectUnauthorized: true,
    ca: o.ca ? [...tls.rootCertificates, o.ca] : undefined,
    ALPNProtocols: undefined,
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        fail(
          new TlsSetupError(
            'handshake',
            `TLS handshake with ${o.serverName} timed out after ${o.timeoutMs} ms: the port accepts TCP but does not complete a TLS handshake`,
          ),
        ),
      o.timeoutMs,
    );
    const onAbort = () => fail(new Error('aborted'));
    o.signal?.addEventListener('abort', onAbort, { once: true });
    function fail(err: Error) {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      // The TCP connection under TLS is ours to close: left open, it kept the process alive until
      // the server dropped it (issue #12: minutes after a certificate error).
      void conn.close().catch(() => {});
      reject(err);
    }
    socket.once('error', (err) => fail(describeTlsError(err, o)));
    socket.once('close', () =>
      fail(
        new TlsSetupError(
          'handshake',
          `TLS handshake with ${o.serverName} failed: the server closed the connection (is this port TLS?)`,
        ),
      ),
    );
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      socket.removeAllListeners('error');
      socket.removeAllListeners('close');
      resolve();
    });
  });
  let lastError: Error | undefined;
  socket.on('error', (e) => (lastError = e));
  return {
    local: conn.local,
    remote: conn.remote,
    write: (d) => new Promise((resolve, reject) => socket.write(d, (e) => (e ? reject(e) : resolve()))),
    onData: (l) =>
      void socket.on('data', (b: Buffer) => l(new Uint8Array(b.buffer, b.byteOffset, b.byteLength))),
    onClose: (l) => void socket.on('close', () => l(lastError)),
    close: () =>
      new Promise((resolve) => {
        if (socket.destroyed) return resolve();
        socket.end(() => resolve());
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 1000).unref();
      }),
  };
}

export function streamSipTransport(
  pipe: BytePipe,
  protocol: 'TCP' | 'TLS',
  clock: Clock,
  keepAliveMs = 30_000,
): SipTransport {
  const listeners = new Set<(text: string, from: Endpoint) => void>();
  const closeListeners = new Set<(e?: Error) => void>();
  const pongListeners = new Set<() => void>();
  const framer = new StreamFramer();
  let closed = false;
  let keepAlive: TimerHandle | null = null;
  let pingsOutstanding = 0;
  const encoder = new TextEncoder();
  const ping = () => {
    pingsOutstanding++;
    return pipe.write(encoder.encode('\r\n\r\n'));
  };
  const scheduleKeepAlive = () => {
    keepAlive = clock.setTimeout(() => {
      if (closed) return;
      void ping().catch(() => {});
      scheduleKeepAlive();
    }, keepAliveMs);
  };
  if (keepAliveMs > 0) scheduleKeepAlive();
  const fail = (e?: Error) => {
    if (closed) return;
    closed = true;
    keepAlive?.cancel();
    for (const l of closeListeners) l(e);
  };
  pipe.onData((chunk) => {
    try {
      const { messages, pings, pongs } = framer.push(chunk, pingsOutstanding > 0);
      pingsOutstanding = Math.max(0, pingsOutstanding - pongs);
      for (let i = 0; i < pings; i++) void pipe.write(encoder.encode('\r\n')).catch(() => {});
      for (let i = 0; i < pongs; i++) for (const l of pongListeners) l();
      for (const m of messages) for (const l of listeners) l(m, pipe.remote);
    } catch (err) {
      // A framing error leaves the stream unsynchronised: the connection must be dropped (§18.3).
      fail(err instanceof Error ? err : new Error(String(err)));
      void pipe.close();
    }
  });
  pipe.onClose((e) => fail(e ?? new Error('connection closed by the peer')));
  return {
    protocol,
    reliable: true,
    local: pipe.local,
    remote: pipe.remote,
    async send(text) {
      if (closed) throw new Error(`${protocol} connection is closed`);
      await pipe.write(encoder.encode(text));
    },
    onMessage(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    onClose(l) {
      closeListeners.add(l);
      return () => closeListeners.delete(l);
    },
    async sendPing() {
      if (closed) throw new Error(`${protocol} connection is closed`);
      await ping();
    },
    onPong(l) {
      pongListeners.add(l);
      return () => pongListeners.delete(l);
    },
    async close() {
      keepAlive?.cancel();
      closed = true;
      listeners.clear();
      pongListeners.clear();
      await pipe.close();
    },
  };
}
