/**
 * The echo call's media through a TURN relay: a MediaPath (services/call/media-path.ts) whose RTP
 * and RTCP sockets are relayed addresses (engine/turn/relay-socket.ts). Two allocations, each on its
 * own connection to the server: the RTP one asks for an even port and reserves the next (RFC 8656
 * §7.2, EVEN-PORT with R), the RTCP one takes it with the RESERVATION-TOKEN, so RTCP is RTP + 1
 * (RFC 3550 §11). A server that reserves nothing gets a second plain allocation and the SDP's
 * a=rtcp names its port. Once the answer is known, `connect` binds a channel to the far end's RTP
 * and RTCP addresses (§12.1), which also installs the permissions its packets need to get in.
 */
import { NatScopeError } from '../../../shared/contracts/errors.ts';
import type { RelayConfig, RelayUsed } from '../../../shared/contracts/relay-config.ts';
import { formatEndpoint, parseHostPort, type Endpoint } from '../../../shared/model/endpoint.ts';
import type { Clock } from '../../engine/clock/clock.ts';
import type { Network } from '../../engine/net/network.ts';
import { TurnClient, type Allocation } from '../../engine/turn/client.ts';
import { DEFAULT_TURN_PORT, openTurnControl } from '../../engine/turn/connect.ts';
import type { TurnCredentials } from '../../engine/turn/credentials.ts';
import { RelayedUdpSocket } from '../../engine/turn/relay-socket.ts';
import type { MediaPath } from '../call/media-path.ts';

export interface RelayedPath extends MediaPath {
  readonly used: RelayUsed;
}

export function relayCredentials(r: RelayConfig): TurnCredentials {
  return r.secret !== undefined
    ? { kind: 'secret', secret: r.secret, user: r.username }
    : { kind: 'static', username: r.username!, password: r.password! };
}

export async function openRelayedPath(o: {
  relay: RelayConfig;
  network: Network;
  clock: Clock;
  localAddress?: string;
  signal?: AbortSignal;
}): Promise<RelayedPath> {
  const { relay, network, clock } = o;
  const t0 = clock.now();
  const hp = parseHostPort(relay.server, DEFAULT_TURN_PORT[relay.transport]);
  const address = (await network.resolve(hp.host, 4).catch(() => [] as string[]))[0];
  if (!address) throw new NatScopeError('unreachable', `cannot resolve the TURN server name ${hp.host}`);
  const server: Endpoint = { address, port: hp.port };
  const clients: TurnClient[] = [];
  const open = async (): Promise<TurnClient> => {
    const control = await openTurnControl({
      network,
      clock,
      transport: relay.transport,
      server,
      serverName: hp.host,
      tlsCaPem: relay.tlsCaPem,
      localAddress: o.localAddress,
      timing: { rtoMs: 250, timeoutMs: 5000 },
      signal: o.signal,
    });
    const c = new TurnClient({
      control,
      clock,
      credentials: relayCredentials(relay),
      expectedRealm: relay.realm,
    });
    clients.push(c);
    return c;
  };
  const closeAll = () => Promise.allSettled(clients.map((c) => c.close()));
  let rtpAlloc: Allocation;
  let rtcpAlloc: Allocation;
  try {
    const rtpClient = await open();
    rtpAlloc = await rtpClient.allocate({ evenPort: true, signal: o.signal });
    const rtcpClient = await open();
    rtcpAlloc = await rtcpClient.allocate(
      rtpAlloc.reservationToken
        ? { reservationToken: rtpAlloc.reservationToken, signal: o.signal }
        : { signal: o.signal },
    );
  } catch (err) {
    await closeAll();
    throw new NatScopeError('unreachable', `TURN relay ${formatEndpoint(server)}: ${(err as Error).message}`);
  }
  const [rtpClient, rtcpClient] = clients as [TurnClient, TurnClient];
  const rtp = new RelayedUdpSocket(rtpClient, rtpAlloc.relayed);
  const rtcp = new RelayedUdpSocket(rtcpClient, rtcpAlloc.relayed);
  return {
    rtp,
    rtcp,
    localRtp: rtpClient.control.local,
    advertisedRtp: rtpAlloc.relayed,
    advertisedRtcpPort: rtcpAlloc.relayed.port,
    used: {
      server: formatEndpoint(server),
      transport: relay.transport,
      relayedRtp: formatEndpoint(rtpAlloc.relayed),
      relayedRtcp: formatEndpoint(rtcpAlloc.relayed),
      allocateMs: Math.round(clock.now() - t0),
    },
    async connect(remoteRtp: Endpoint, remoteRtcp: Endpoint) {
      await Promise.all([rtp.prepare(remoteRtp), rtcp.prepare(remoteRtcp)]);
    },
    async close() {
      await Promise.allSettled([rtp.close(), rtcp.close()]);
      await closeAll();
    },
  };
}
