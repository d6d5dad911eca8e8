/**
 * "Is UDP blocked?" from independent evidence only. One STUN server that stays silent may simply
 * be down: that is "the server did not answer", and the NAT type stays unknown. UDP counts as
 * blocked when something else proves the path works except for UDP:
 * - the same server answered a STUN Binding over TCP (the engine's TCP fallback), or
 * - the server's host answered over TCP (handshake accepted or refused) while UDP stayed silent, or
 * - two or more different servers (different addresses) were all silent over UDP.
 */
import type { NatServerRun } from '../contracts/nat.ts';
import { hostOfEndpoint } from './endpoint.ts';

export interface UdpVerdict {
  udpBlocked: boolean;
  /** No server answered over UDP, and nothing shows that UDP itself is blocked. */
  serverSilent: boolean;
  /** The facts behind either verdict, in words; null when some server answered over UDP. */
  evidence: string | null;
}

type Run = Pick<
  NatServerRun,
  'server' | 'address' | 'udpBlocked' | 'mappedAddress' | 'serverKind' | 'transport' | 'tcpReachable'
>;

export function judgeUdp(runs: readonly Run[]): UdpVerdict {
  const udpRuns = runs.filter((r) => r.transport === 'udp' && r.address !== null);
  // The engine marks a run udpBlocked when its server gave no UDP answer to any probe.
  const silent = udpRuns.filter((r) => r.udpBlocked);
  if (udpRuns.length === 0 || silent.length < udpRuns.length)
    return { udpBlocked: false, serverSilent: false, evidence: null };
  // After a silent UDP Binding the engine asks the same server over TCP; a mapped address then came over TCP.
  const overTcp = silent.find((r) => r.mappedAddress !== null);
  if (overTcp)
    return {
      udpBlocked: true,
      serverSilent: false,
      evidence: `${overTcp.server} answered a STUN Binding over TCP (mapped ${overTcp.mappedAddress}) but never over UDP`,
    };
  const reachable = silent.find((r) => r.tcpReachable === true);
  if (reachable)
    return {
      udpBlocked: true,
      serverSilent: false,
      evidence: `${reachable.server}'s host answers over TCP but nothing came back over UDP`,
    };
  const hosts = [...new Set(silent.map((r) => hostOfEndpoint(r.address!)))];
  if (hosts.length >= 2)
    return {
      udpBlocked: true,
      serverSilent: false,
      evidence: `no UDP answer from ${hosts.length} different servers (${[...new Set(silent.map((r) => r.server))].join(', ')})`,
    };
  const names = [...new Set(silent.map((r) => r.server))].join(', ');
  return {
    udpBlocked: false,
    serverSilent: true,
    evidence: `${names} did not answer over UDP or TCP; one silent server is not proof that UDP is blocked (it may be down): try a second server`,
  };
}
