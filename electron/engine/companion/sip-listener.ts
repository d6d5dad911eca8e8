/**
 * The companion server's SIP transport (RFC 3261 §18): UDP and TCP on each SIP port, framing,
 * size caps, per-source rate limiting and connection limits, then hands each parsed message to
 * the dispatcher with a `reply` that can only send back to the message's own source.
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import { formatEndpoint } from '../../../shared/model/endpoint.ts';
import { parseSipText, type SipText } from '../../../shared/model/alg-sip.ts';
import { latin1 } from '../../../shared/model/alg-reflect.ts';
import type { Network, TcpConnection, UdpSocket } from '../net/network.ts';
import type { Clock } from '../clock/clock.ts';
import type { CompanionLogger } from './logger.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { SipStreamFramer, type SipFramerLimits } from './sip-framer.ts';
import type { ListenTcp, TcpListener } from './tcp-listener.ts';

export interface SipMessageContext {
  transport: 'UDP' | 'TCP';
  source: Endpoint;
  destination: Endpoint;
  bytes: Uint8Array;
  text: string;
  msg: SipText;
  /** Sends to the message's source (same socket / same connection). Never elsewhere. */
  reply(bytes: Uint8Array): Promise<void>;
  /** TCP: close the connection once replies are written (the server takes the active close). */
  closeConnection(): void;
  /** The UDP socket the message came in on (for callbacks to the same source later). */
  udpSocket: UdpSocket | null;
  tcp: TcpConnection | null;
}

export interface SipListenerLimits extends SipFramerLimits {
  /** UDP datagrams larger than this are dropped (64 KiB is the protocol maximum). */
  maxUdpBytes: number;
  maxTcpConnections: number;
  maxTcpPerSource: number;
  tcpIdleMs: number;
}

export const DEFAULT_SIP_LIMITS: SipListenerLimits = {
  maxHeaderBytes: 16 * 1024,
  maxBodyBytes: 64 * 1024,
  maxUdpBytes: 65_535,
  maxTcpConnections: 256,
  maxTcpPerSource: 16,
  tcpIdleMs: 60_000,
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
  const perSource = new Map<string, number>();
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
        if (!o.rateLimiter.allow(from.address))
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
        { address: o.address, port: udp ? udp.local.port : o.port, maxConnections: limits.maxTcpConnections },
        (c) => {
          const key = c.remote.address;
          const n = perSource.get(key) ?? 0;
          if (n >= limits.maxTcpPerSource) {
            o.logger.log('warn', 'sip.tcp.refused', {
              reason: 'per-source-connection-limit',
              source: formatEndpoint(c.remote),
            });
            void c.close();
            return;
          }
          perSource.set(key, n + 1);
          conns.add(c);
          const framer = new SipStreamFramer(limits);
          let idle = o.clock.setTimeout(() => void c.close(), limits.tcpIdleMs);
          let closing = false;
          c.onClose(() => {
            idle.cancel();
            conns.delete(c);
            const left = (perSource.get(key) ?? 1) - 1;
            if (left <= 0) perSource.delete(key);
            else perSource.set(key, left);
          });
          c.onData((data) => {
            idle.cancel();
            idle = o.clock.setTimeout(() => void c.close(), limits.tcpIdleMs);
            for (const ev of framer.push(data)) {
              if (ev.kind === 'keepalive') void c.write(new Uint8Array([13, 10])).catch(() => {});
              else if (ev.kind === 'error') {
                o.logger.log('warn', 'sip.tcp.framing', {
                  reason: ev.reason,
                  source: formatEndpoint(c.remote),
                });
                void c.close();
              } else if (!o.rateLimiter.allow(c.remote.address)) {
                o.logger.log('debug', 'sip.drop', {
                  reason: 'rate-limit',
                  transport: 'TCP',
                  source: formatEndpoint(c.remote),
                });
              } else {
                deliver(
                  ev.bytes,
                  'TCP',
                  c.remote,
                  c.local,
                  (b) => c.write(b),
                  () => {
                    if (!closing) {
                      closing = true;
                      void c.close();
                    }
                  },
                  null,
                  c,
                );
              }
            }
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
    try {
      o.onMessage({
        transport,
        source,
        destination,
        bytes,
        text,
        msg,
        reply: (b) =>
          send(b).catch((err: unknown) => o.logger.log('debug', 'sip.send-failed', { error: String(err) })),
        closeConnection,
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
