/**
 * Opens SIP over WebSocket (RFC 7118) for a call: TCP to the URL's host and port, TLS for wss:
 * (certificate verification always on, extra CA like SIP over TLS), then the upgrade
 * (websocket-transport.ts). All three share one budget, so a proxy that swallows the upgrade is
 * reported within the connect timeout. Each stage's failure is a WebSocketSetupError that says
 * where it stopped.
 */
import { randomToken } from './sip-message.ts';
import { tcpPipe, tlsPipe } from './stream-transport.ts';
import type { TransportOpener } from './transport-opener.ts';
import { openSipWebSocket, setupFailure } from './websocket-transport.ts';

/** TCP connect, TLS and the upgrade together (SIP.js's connectionTimeout is 5 s too). */
export const WEBSOCKET_OPEN_TIMEOUT_MS = 5000;

export const openWebSocket: TransportOpener = async (o) => {
  if (!o.url) throw new Error('a WebSocket transport needs the server URL');
  const url = o.url;
  const startedAt = o.clock.now();
  const left = () => Math.max(1, startedAt + WEBSOCKET_OPEN_TIMEOUT_MS - o.clock.now());
  let conn;
  try {
    conn = await o.network.connectTcp({
      remote: o.server,
      localAddress: o.localAddress,
      timeoutMs: left(),
      signal: o.signal,
    });
  } catch (err) {
    throw setupFailure(url, 'tcp-connect', (err as Error).message);
  }
  let pipe = tcpPipe(conn);
  if (url.startsWith('wss:')) {
    try {
      pipe = await tlsPipe(conn, {
        serverName: o.serverName,
        ca: o.caPem,
        timeoutMs: left(),
        signal: o.signal,
      });
    } catch (err) {
      void conn.close().catch(() => {});
      throw setupFailure(url, 'tls', (err as Error).message);
    }
  }
  const websocket = await openSipWebSocket({
    url,
    pipe,
    clock: o.clock,
    startedAt,
    timeoutMs: WEBSOCKET_OPEN_TIMEOUT_MS,
    signal: o.signal,
  });
  // RFC 7118 §5.2: a WebSocket client has no address others can reach; it names itself under .invalid.
  return {
    transport: websocket.transport,
    udpSocket: null,
    websocket,
    sentByHost: `${randomToken(10).toLowerCase()}.invalid`,
  };
};
