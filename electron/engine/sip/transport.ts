/**
 * The SIP transport layer (RFC 3261 §18) as the transaction layer sees it: UDP (unreliable,
 * connectionless) or one connection to the next hop (TCP, TLS, WS, WSS). Each message is handed
 * over with the address it came from, which the diagnosis needs (NAT rewriting, rport).
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';

export type SipTransportProtocol = 'UDP' | 'TCP' | 'TLS' | 'WS' | 'WSS';

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
  close(): Promise<void>;
}
