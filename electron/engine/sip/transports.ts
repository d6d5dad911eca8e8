/**
 * Opening the SIP transport for a call (RFC 3261 §18): one opener per transport name. UDP binds a
 * socket (udp-transport.ts); TCP and TLS connect to the next hop (stream-transport.ts, RFC 3261
 * §18.3 framing, RFC 5630 for sips: over TLS). A new transport — SIP over WebSocket (RFC 7118) — is
 * a new file with its opener and one line in SIP_TRANSPORTS; everything above sees a SipTransport.
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import { streamSipTransport, tcpPipe, tlsPipe } from './stream-transport.ts';
import type { OpenTransportOptions, SipTransportKind, TransportOpener } from './transport-opener.ts';
import { udpSipTransport } from './udp-transport.ts';
import { openWebSocket } from './websocket-opener.ts';

export type {
  OpenedTransport,
  OpenTransportOptions,
  SipTransportKind,
  TransportOpener,
} from './transport-opener.ts';

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
  transport: streamSipTransport(tcpPipe(await connect(o)), 'TCP', o.clock, o.keepAliveMs),
  udpSocket: null,
});

const openTls: TransportOpener = async (o) => {
  const pipe = await tlsPipe(await connect(o), {
    serverName: o.serverName,
    ca: o.caPem,
    timeoutMs: CONNECT_TIMEOUT_MS,
    signal: o.signal,
  });
  return { transport: streamSipTransport(pipe, 'TLS', o.clock, o.keepAliveMs), udpSocket: null };
};

/** The transports a call can use; a missing name is "not built yet". */
export const SIP_TRANSPORTS: Partial<Record<SipTransportKind, TransportOpener>> = {
  udp: openUdp,
  tcp: openTcp,
  tls: openTls,
  ws: openWebSocket,
  wss: openWebSocket,
};
