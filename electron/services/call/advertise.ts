/**
 * Set-up, part 1: what Contact and SDP advertise. "local" advertises the bound addresses; "stun" asks
 * a STUN server (RFC 8489 Binding, one transaction per socket) what the RTP, RTCP and SIP sockets map
 * to, because the mapping that matters is each socket's own. No STUN answer is a finding, and the
 * local address is advertised instead.
 */
import type { Finding } from '../../../shared/contracts/call.ts';
import { type Endpoint, formatEndpoint, parseHostPort } from '../../../shared/model/endpoint.ts';
import type { Clock } from '../../engine/clock/clock.ts';
import type { Network, UdpSocket } from '../../engine/net/network.ts';
import { stunMappedAddress } from '../../engine/rtp/stun-binding.ts';
import type { MediaPath } from './media-path.ts';

export interface AdvertiseResult {
  /** The address for Contact. */
  contact: Endpoint;
  findings: Finding[];
}

/** Sets `path.advertisedRtp`/`advertisedRtcpPort` and returns the Contact address. */
export async function advertiseAddresses(o: {
  mode: 'local' | 'stun';
  stunServer: string | undefined;
  path: MediaPath;
  sipLocal: Endpoint;
  /** The SIP UDP socket (null over TCP/TLS: a connection's mapping is not asked). */
  sipSocket: UdpSocket | null;
  network: Network;
  clock: Clock;
  signal: AbortSignal;
}): Promise<AdvertiseResult> {
  const out: AdvertiseResult = { contact: o.sipLocal, findings: [] };
  if (o.mode !== 'stun') return out;
  const { clock, signal } = o;
  const stun = await resolveStun(o.stunServer, o.network);
  const rtpMapped = stun ? await stunMappedAddress(o.path.rtp, stun, clock, signal) : null;
  const rtcpMapped = stun && rtpMapped ? await stunMappedAddress(o.path.rtcp, stun, clock, signal) : null;
  const sipMapped = stun && o.sipSocket ? await stunMappedAddress(o.sipSocket, stun, clock, signal) : null;
  if (!rtpMapped) {
    out.findings.push({
      code: 'stun-failed',
      severity: 'warning',
      message: stun
        ? `No STUN answer from ${formatEndpoint(stun)}; advertising the local address instead.`
        : 'advertise = "stun" needs a STUN server (stunServer); advertising the local address instead.',
    });
  } else {
    o.path.advertisedRtp = rtpMapped;
    o.path.advertisedRtcpPort = rtcpMapped?.port ?? rtpMapped.port + 1;
  }
  if (sipMapped) out.contact = sipMapped;
  return out;
}

async function resolveStun(server: string | undefined, network: Network): Promise<Endpoint | null> {
  if (!server) return null;
  const { host, port } = parseHostPort(server, 3478);
  const address = (await network.resolve(host, 4).catch(() => [] as string[]))[0];
  return address ? { address, port } : null;
}
