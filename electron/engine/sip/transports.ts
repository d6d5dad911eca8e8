/**
 * Opening the SIP transport for a call (RFC 3261 §18): one opener per transport name. UDP binds a
 * socket (udp-transport.ts); TCP and TLS connect to the next hop (stream-transport.ts, RFC 3261
 * §18.3 framing, RFC 5630 for sips: over TLS). A new transport — SIP over WebSocket (RFC 7118) — is
 * a new file with its opener and one line in SIP_TRANSPORTS; everything above sees a SipTransport.
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import type { Clock } from '../clock/clock.ts';
import type { Network, UdpSocket } from '../net/network.ts';
import { streamSipTransport, tcpPipe, tlsPipe } from './stream-transport.ts';
import type { SipTransport } from './transport.ts';
import { udpSipTransport } from './udp-transport.ts';
import { openWebSocket } from './websocket-opener.ts';
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

const CONNECT_TIMEOUT_MS = 5000;

const openUdp: TransportOpener = async (o) => {
  const socket = await o.network.bindUdp({ address: o.localAddress, port: o.localPort });
  // Sentinels (udp-transport.ts) see ICMP port/host unreachable for the destinations we call.
  const openSentinel = () => o.network.bindUdp({ address: o.localAddress });
  const probeHost = async (to: Endpoint) =>
    (await o.network.connectTcp({ remote: to, localAddress: o.localAddress, timeoutMs: 3000 })).close();
  return { transport: udpSipTransport(socket, { openSentinel, probeHost }), udpSocket: socket };
};

const connect = (o: OpenTransportOptions) =>
  o.network.connectTcp({
    remote: o.server,
    localAddress: o.localAddress,
    timeoutMs: CONNECT_TIMEOUT_MS,
    signal: o.signal,
  });

const openTcp: TransportOpener = async (o) => ({
  transport: streamSipTransport(tcpPipe(await connect(o)), 'TCP', o.clock),
  udpSocket: null,
});

const openTls: TransportOpener = async (o) => {
  const pipe = await tlsPipe(await connect(o), {
    serverName: o.serverName,
    ca: o.caPem,
    timeoutMs: CONNECT_TIMEOUT_MS,
    signal: o.signal,
  });
  return { transport: streamSipTransport(pipe, 'TLS', o.clock), udpSocket: null };
};

/** The transports a call can use; a missing name is "not built yet". */
export const SIP_TRANSPORTS: Partial<Record<SipTransportKind, TransportOpener>> = {
  udp: openUdp,
  tcp: openTcp,
  tls: openTls,
  ws: openWebSocket,
  wss: openWebSocket,
};
