/**
 * Could a peer on the internet reach this candidate? The ICE view (RFC 8445 §5.1.1 candidate types)
 * judged with the NAT behaviour the NAT step measured (RFC 4787 §4.1 mapping, §5 filtering):
 *  - host: only a public address behind no NAT is reachable;
 *  - server-reflexive UDP: endpoint-independent mapping + filtering → anyone; EI mapping with
 *    address(-and-port)-dependent filtering → only after we sent to that peer (ICE connectivity
 *    checks open the hole; a SIP phone that waits for the far end never does); dependent mapping
 *    (symmetric) → no, the peer would see another port;
 *  - server-reflexive TCP: inbound TCP through a NAT needs a port mapping → no;
 *  - relayed: yes, for every peer the client gives a permission (RFC 8656 §9).
 */
import type { NatReport } from '../contracts/nat.ts';
import type { Candidate, NatFacts } from '../contracts/turn.ts';
import { classifyAddress, isPrivateClass } from './address-class.ts';
import { hostOfEndpoint } from './endpoint.ts';

type Verdict = Pick<Candidate, 'reachable' | 'why'>;

/** What the TURN test needs from the NAT step: the behaviour, and its reflexive address. */
export function natFactsOf(nat: NatReport): NatFacts {
  return {
    mapping: nat.mapping,
    filtering: nat.filtering,
    natDetected: nat.natDetected,
    udpBlocked: nat.udpBlocked,
    mappedAddress: nat.mappedAddress,
    stunServer: nat.servers[0]?.server ?? null,
  };
}

export function judgeCandidate(
  c: Pick<Candidate, 'type' | 'transport' | 'address'>,
  nat: NatFacts | undefined,
): Verdict {
  // Whatever the type: an address the internet does not route (loopback demo, a relay on the LAN).
  const unrouted = notRouted(hostOfEndpoint(c.address));
  if (unrouted) return unrouted;
  if (c.type === 'relay')
    return { reachable: 'yes', why: 'a relayed address accepts any peer the client gives a permission to' };
  if (c.type === 'host') return judgeHost(nat);
  if (c.transport === 'tcp')
    return nat?.natDetected === false
      ? { reachable: 'yes', why: 'no NAT: the TCP address is public' }
      : {
          reachable: 'no',
          why: 'inbound TCP through a NAT needs a port mapping; the reflexive address only works outbound',
        };
  if (nat?.udpBlocked) return { reachable: 'no', why: 'UDP is blocked' };
  const mapping = nat?.mapping ?? null;
  const filtering = nat?.filtering ?? null;
  if (nat?.natDetected === false) return noNat(filtering, 'the reflexive address is the local one');
  if (mapping === null)
    return { reachable: 'unknown', why: 'NAT mapping behaviour not measured (run the NAT step first)' };
  if (mapping !== 'endpoint-independent')
    return {
      reachable: 'no',
      why: `mapping is ${mapping} (symmetric NAT): a peer would see another port than this one`,
    };
  if (filtering === null)
    return { reachable: 'unknown', why: 'endpoint-independent mapping, but filtering not measured' };
  if (filtering === 'endpoint-independent')
    return {
      reachable: 'yes',
      why: 'endpoint-independent mapping and filtering (full cone): anyone can send to it',
    };
  return {
    reachable: 'after-outbound',
    why: `${filtering} filtering: only a peer we sent to first gets through (ICE checks do this; a SIP phone that waits for the far end does not)`,
  };
}

function notRouted(ip: string): Verdict | null {
  let cls;
  try {
    cls = classifyAddress(ip);
  } catch {
    return { reachable: 'unknown', why: 'not an IP address' };
  }
  return isPrivateClass(cls) ? { reachable: 'no', why: `${cls} address: not routed on the internet` } : null;
}

/** No NAT in the path: what gets in is still up to the filtering (a stateful firewall, RFC 5780 §4.4). */
function noNat(filtering: NatFacts['filtering'] | null, what: string): Verdict {
  if (filtering === 'endpoint-independent')
    return { reachable: 'yes', why: `no NAT and endpoint-independent filtering: ${what}` };
  if (filtering === null || filtering === undefined)
    return { reachable: 'unknown', why: `no NAT (${what}), but filtering not measured` };
  return {
    reachable: 'after-outbound',
    why: `no NAT, but ${filtering} filtering (a firewall): only a peer we sent to first gets through`,
  };
}

function judgeHost(nat: NatFacts | undefined): Verdict {
  if (nat?.natDetected === false) return noNat(nat.filtering ?? null, 'public address');
  if (nat?.natDetected === true)
    return { reachable: 'no', why: 'a NAT sits in front of this public address' };
  return {
    reachable: 'unknown',
    why: 'public address, but whether a NAT or firewall is in the path was not measured',
  };
}
