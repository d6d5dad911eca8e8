/**
 * What opening a SIP transport takes and gives (transports.ts keeps the table of openers; each
 * opener file — udp, tcp/tls, websocket-opener.ts — implements TransportOpener).
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import type { Clock } from '../clock/clock.ts';
import type { Network, UdpSocket } from '../net/network.ts';
import type { SipTransport } from './transport.ts';
import type { SipWebSocket } from './websocket-transport.ts';

export type SipTransportKind = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

export interface OpenTransportOptions {
  network: Network;
  clock: Clock;
  /** The next hop (outbound proxy or the target's host), resolved. */
  server: Endpoint;
  /** Its name as the user gave it: the TLS server name to verify. */
  serverName: string;
  localAddress: string;
  /** Local port for UDP (default: any). */
  localPort?: number;
  /** Extra CA (PEM) trusted for TLS; verification is always on. */
  caPem?: string;
  /** The WebSocket URL (ws/wss: the path and Host of the upgrade request). */
  url?: string;
  /** TCP/TLS: CRLF keep-alive interval (RFC 5626 §3.5.1); 0 = none. Default 30 s. */
  keepAliveMs?: number;
  signal: AbortSignal;
}

export interface OpenedTransport {
  transport: SipTransport;
  /** The UDP socket under the transport (to ask STUN what it maps to); null on connections. */
  udpSocket: UdpSocket | null;
  /** The Via and Contact host when the transport dictates one (RFC 7118 §5.2: "….invalid"). */
  sentByHost?: string;
  /** The WebSocket under a ws/wss transport: its handshake and close, for the result. */
  websocket?: SipWebSocket;
}

export type TransportOpener = (o: OpenTransportOptions) => Promise<OpenedTransport>;
