/**
 * Opening the client-to-server connection — RFC 8656 §3.1 (UDP, TCP, or TLS over TCP; default ports
 * 3478 for UDP/TCP and 5349 for TLS, §3.7 / RFC 7065) with certificate verification always on for
 * TLS (RFC 8656 §21.1.2, server name checked against the certificate).
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import type { Clock } from '../clock/clock.ts';
import type { Network } from '../net/network.ts';
import { tcpPipe, tlsPipe, type BytePipe } from '../sip/stream-transport.ts';
import {
  streamControl,
  udpControl,
  type ControlTiming,
  type TurnControl,
  type TurnTransport,
} from './control.ts';
import { TurnError } from './errors.ts';

export const DEFAULT_TURN_PORT: Record<TurnTransport, number> = { udp: 3478, tcp: 3478, tls: 5349 };

export interface OpenControlOptions {
  network: Network;
  clock: Clock;
  transport: TurnTransport;
  server: Endpoint;
  /** The name the user gave (TLS SNI and certificate check). */
  serverName: string;
  /** Extra CA (PEM) trusted for TLS, e.g. a lab or company CA. */
  tlsCaPem?: string;
  localAddress?: string;
  timing: ControlTiming;
  signal?: AbortSignal;
}

export async function openTurnControl(o: OpenControlOptions): Promise<TurnControl> {
  if (o.transport === 'udp') {
    const socket = await o.network.bindUdp({
      address: o.localAddress,
      family: o.server.address.includes(':') ? 6 : 4,
    });
    return udpControl(socket, o.server, o.clock, o.timing);
  }
  return streamControl(await openTurnPipe({ ...o, transport: o.transport }), o.transport, o.clock, o.timing);
}

/** A TCP or TLS byte pipe to the server: the control connection, or an RFC 6062 data connection. */
export async function openTurnPipe(o: OpenControlOptions & { transport: 'tcp' | 'tls' }): Promise<BytePipe> {
  let conn;
  try {
    conn = await o.network.connectTcp({
      remote: o.server,
      localAddress: o.localAddress,
      timeoutMs: o.timing.timeoutMs,
      signal: o.signal,
    });
  } catch (err) {
    throw new TurnError(
      'connection',
      `cannot connect over TCP to ${o.server.address}:${o.server.port}: ${(err as Error).message}`,
    );
  }
  if (o.transport === 'tcp') return tcpPipe(conn);
  try {
    return await tlsPipe(conn, {
      serverName: o.serverName,
      ca: o.tlsCaPem,
      timeoutMs: o.timing.timeoutMs,
      signal: o.signal,
    });
  } catch (err) {
    await conn.close().catch(() => {});
    throw new TurnError('connection', (err as Error).message);
  }
}
