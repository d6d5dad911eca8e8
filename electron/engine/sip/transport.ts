/**
 * The SIP transport layer (RFC 3261 §18) as the transaction layer sees it: UDP (unreliable,
 * connectionless) or one connection to the next hop (TCP, TLS, WS, WSS). Each message is handed
 * over with the address it came from, which the diagnosis needs (NAT rewriting, rport).
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';

export type SipTransportProtocol = 'UDP' | 'TCP' | 'TLS' | 'WS' | 'WSS';

/**
 * ICMP said the destination cannot be reached (RFC 1122 §3.2.2.1 / RFC 792 type 3): nothing
 * listens on the port, or the host or its network is unreachable. RFC 3261 §18.4 makes this a
 * transport error for the transactions towards it — the caller learns at once instead of at
 * Timer B.
 */
export class SipUnreachableError extends Error {
  readonly kind: 'port' | 'host' | 'network';
  readonly dest: Endpoint;
  constructor(kind: 'port' | 'host' | 'network', dest: Endpoint, protocol: string) {
    const where = `${dest.address.includes(':') ? `[${dest.address}]` : dest.address}`;
    super(
      kind === 'port'
        ? `nothing listens on ${protocol.toLowerCase()}/${dest.port} at ${where} (ICMP port unreachable)`
        : kind === 'host'
          ? `host unreachable: ${where} (ICMP host unreachable)`
          : `network unreachable: no route to ${where} (ICMP network unreachable)`,
    );
    this.name = 'SipUnreachableError';
    this.kind = kind;
    this.dest = dest;
  }
}

/** The ICMP-derived socket error codes, by what they mean. */
export function unreachableKind(code: string | undefined): 'port' | 'host' | 'network' | null {
  if (code === 'ECONNREFUSED') return 'port';
  if (code === 'EHOSTUNREACH' || code === 'EHOSTDOWN') return 'host';
  if (code === 'ENETUNREACH') return 'network';
  return null;
}

export interface SipTransport {
  readonly protocol: SipTransportProtocol;
  /** Reliable transports need no retransmission timers (RFC 3261 §17.1.1.2). */
  readonly reliable: boolean;
  readonly local: Endpoint;
  /** The connected peer for connection-oriented transports; null for UDP. */
  readonly remote: Endpoint | null;
  send(text: string, to: Endpoint): Promise<void>;
  onMessage(listener: (text: string, from: Endpoint) => void): () => void;
  /** Connection lost (TCP/TLS/WSS) — pending transactions fail with a transport error. */
  onClose(listener: (error?: Error) => void): () => void;
  /** ICMP said a destination is unreachable — its pending transactions fail at once. */
  onUnreachable?(listener: (error: SipUnreachableError) => void): () => void;
  close(): Promise<void>;
  /**
   * RFC 5626 §4.4.1 keep-alive "ping": CRLFCRLF on the flow (over UDP one datagram, as phones send
   * it to keep NAT bindings open). Absent where the transport has its own (WebSocket ping frames).
   */
  sendPing?(to: Endpoint): Promise<void>;
  /** The peer's "pong" (a lone CRLF) arrived on this flow. */
  onPong?(listener: () => void): () => void;
}
