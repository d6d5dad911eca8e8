/**
 * The companion server's SIP transport (RFC 3261 §18): UDP and TCP on each SIP port, framing,
 * size caps, per-source rate limiting and connection limits, then hands each parsed message to
 * the dispatcher with a `reply` that can only send back to the message's own source.
 *
 * Amplification: a UDP source that has not proved it receives (return-routability.ts) gets, in all,
 * at most `udpAmplification` (3) times the bytes of its request back; `reply` drops anything beyond.
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import { formatEndpoint } from '../../../shared/model/endpoint.ts';
import { parseSipText, type SipText } from '../../../shared/model/alg-sip.ts';
import { latin1, UDP_AMPLIFICATION_FACTOR } from '../../../shared/model/alg-reflect.ts';
import type { Network, TcpConnection, UdpSocket } from '../net/network.ts';
import type { Clock } from '../clock/clock.ts';
import type { CompanionLogger } from './logger.ts';
import type { RateLimiter } from './rate-limiter.ts';
import type { ReturnRoutability, RrState } from './return-routability.ts';
import { sourceKey } from './source-key.ts';
import { SourceQuota } from './source-quota.ts';
import { serveTcpSession, type TcpSessionLimits } from './sip-tcp-session.ts';
import type { ListenTcp, TcpListener } from './tcp-listener.ts';

export interface SipMessageContext {
  transport: 'UDP' | 'TCP';
  source: Endpoint;
  destination: Endpoint;
  bytes: Uint8Array;
  text: string;
  msg: SipText;
  /**
   * Return routability of the source: TCP is always 'verified' (the handshake proves it); UDP is
   * 'verified' when the request carries a valid nonce for its own source (return-routability.ts).
   */
  rr: RrState;
  /** The per-source key every limit counts by (IPv4 /32, IPv6 /64). */
  sourceKey: string;
  /**
   * Sends to the message's source (same socket / same connection). Never elsewhere. Unverified UDP:
   * at most 3× the request's bytes in total, the rest is dropped.
   */
  reply(bytes: Uint8Array): Promise<void>;
  /** TCP: close the connection once replies are written (the server takes the active close). */
  closeConnection(): void;
  /** TCP: no idle timeout for `ms` from now (a pending callback); the lifetime cap still holds. */
  holdOpen?(ms: number): void;
  /** The UDP socket the message came in on (for callbacks to the same source later). */
  udpSocket: UdpSocket | null;
  tcp: TcpConnection | null;
}

export interface SipListenerLimits extends TcpSessionLimits {
  /** UDP datagrams larger than this are dropped (64 KiB is the protocol maximum). */
  maxUdpBytes: number;
  maxTcpConnections: number;
  maxTcpPerSource: number;
  /** Bytes queued for a peer that does not read before its connection is dropped. */
  maxTcpQueuedBytes: number;
  /** Unverified UDP sources get at most this many times their request's bytes back. */
  udpAmplification: number;
}

export const DEFAULT_SIP_LIMITS: SipListenerLimits = {
  maxHeaderBytes: 16 * 1024,
  maxBodyBytes: 64 * 1024,
  maxUdpBytes: 65_535,
  maxTcpConnections: 256,
  maxTcpPerSource: 16,
  maxTcpQueuedBytes: 256 * 1024,
  tcpIdleMs: 60_000,
  tcpMessageDeadlineMs: 10_000,
  tcpLifetimeMs: 300_000,
  udpAmplification: UDP_AMPLIFICATION_FACTOR,
};

export interface SipListenerOptions {
  network: Pick<Network, 'bindUdp'>;
  listenTcp: ListenTcp;
  clock: Clock;
  address: string;
  port: number;
  udp: boolean;
  tcp: boolean;
  limits?: SipListenerLimits;
  rateLimiter: RateLimiter;
  returnRoutability: ReturnRoutability;
  logger: CompanionLogger;
  onMessage(ctx: SipMessageContext): void;
}

export interface SipListener {
  readonly port: number;
  readonly udpSocket: UdpSocket | null;
  close(): Promise<void>;
}

export async function startSipListener(o: SipListenerOptions): Promise<SipListener> {
  const limits = o.limits ?? DEFAULT_SIP_LIMITS;
  let udp: UdpSocket | null = null;
  let tcp: TcpListener | null = null;
  const conns = new Set<TcpConnection>();
  const tcpQuota = new SourceQuota({
    maxTotal: limits.maxTcpConnections,
    maxPerSource: limits.maxTcpPerSource,
  });
  try {
    if (o.udp) {
      const sock = await o.network.bindUdp({ address: o.address, port: o.port });
      udp = sock;
      sock.onMessage((data, from) => {
        const destination = { address: o.address, port: sock.local.port };
        if (data.length > limits.maxUdpBytes)
          return o.logger.log('warn', 'sip.drop', {
            reason: 'too-large',
            transport: 'UDP',
            source: formatEndpoint(from),
            bytes: data.length,
          });
        if (isKeepalive(data)) return;
        if (!o.rateLimiter.allowAddress(from.address))
          return o.logger.log('debug', 'sip.drop', {
            reason: 'rate-limit',
            transport: 'UDP',
            source: formatEndpoint(from),
          });
        deliver(
          data,
          'UDP',
          from,
          destination,
          (b) => sock.send(b, from),
          () => {},
          sock,
          null,
        );
      });
    }
    if (o.tcp) {
      tcp = await o.listenTcp(
        {
          address: o.address,
          port: udp ? udp.local.port : o.port,
          maxConnections: limits.maxTcpConnections,
          maxQueuedBytes: limits.maxTcpQueuedBytes,
        },
        (c) => {
          const key = sourceKey(c.remote.address);
          const refused = tcpQuota.acquire(key);
          if (refused) {
            o.logger.log('warn', 'sip.tcp.refused', { reason: refused, source: formatEndpoint(c.remote) });
            void c.close();
            return;
          }
          conns.add(c);
          serveTcpSession(c, {
            clock: o.clock,
            limits,
            logger: o.logger,
            onClosed: () => {
              conns.delete(c);
              tcpQuota.release(key);
            },
            onMessage: (bytes, close, holdOpen) => {
              if (!o.rateLimiter.allowAddress(c.remote.address))
                return o.logger.log('debug', 'sip.drop', {
                  reason: 'rate-limit',
                  transport: 'TCP',
                  source: formatEndpoint(c.remote),
                });
              deliver(bytes, 'TCP', c.remote, c.local, (b) => c.write(b), close, null, c, holdOpen);
            },
          });
        },
      );
    }
  } catch (err) {
    await udp?.close();
    await tcp?.close();
    throw err;
  }

  function deliver(
    bytes: Uint8Array,
    transport: 'UDP' | 'TCP',
    source: Endpoint,
    destination: Endpoint,
    send: (b: Uint8Array) => Promise<void>,
    closeConnection: () => void,
    udpSocket: UdpSocket | null,
    tcpConn: TcpConnection | null,
    holdOpen?: (ms: number) => void,
  ): void {
    const text = latin1(bytes);
    const msg = parseSipText(text);
    if (!msg) {
      o.logger.log('debug', 'sip.drop', {
        reason: 'not-sip',
        transport,
        source: formatEndpoint(source),
        bytes: bytes.length,
      });
      return;
    }
    const rr = transport === 'TCP' ? 'verified' : o.returnRoutability.check(msg, source, transport);
    const sendSafe = (b: Uint8Array) =>
      send(b).catch((err: unknown) => o.logger.log('debug', 'sip.send-failed', { error: String(err) }));
    let budget = rr === 'verified' ? Infinity : limits.udpAmplification * bytes.length;
    try {
      o.onMessage({
        transport,
        source,
        destination,
        bytes,
        text,
        msg,
        rr,
        sourceKey: sourceKey(source.address),
        reply: (b) => {
          if (b.length > budget) {
            o.logger.log('warn', 'sip.amplification-guard', {
              source: formatEndpoint(source),
              request: bytes.length,
              response: b.length,
            });
            return Promise.resolve();
          }
          budget -= b.length;
          return sendSafe(b);
        },
        closeConnection,
        holdOpen,
        udpSocket,
        tcp: tcpConn,
      });
    } catch (err) {
      // a handler bug must never take the server down
      o.logger.log('error', 'sip.handler-error', {
        error: err instanceof Error ? err.message : String(err),
        transport,
        source: formatEndpoint(source),
      });
    }
  }

  return {
    port: udp ? udp.local.port : (tcp?.local.port ?? o.port),
    udpSocket: udp,
    async close() {
      await Promise.all([...conns].map((c) => c.close()));
      await udp?.close();
      await tcp?.close();
    },
  };
}

function isKeepalive(b: Uint8Array): boolean {
  for (const x of b) if (x !== 13 && x !== 10) return false;
  return true;
}
