/**
 * Double-NAT / CGNAT signals from what the router says about itself (pure; used by the service,
 * the CLI and the renderer). Signals: the router's external address is private (RFC 1918) or in
 * the shared address space 100.64.0.0/10 (RFC 6598); it differs from the address a STUN server
 * saw; or the router refuses every mapping (UPnP 501, NAT-PMP 3, PCP NO_RESOURCES).
 */
import { classifyAddress, type AddressClass } from './address-class.ts';
import { describeCode, isDoubleNatRefusal, type MappingVia } from './router-errors.ts';

export type RouterFindingId =
  | 'router-external-private'
  | 'router-external-cgnat'
  | 'router-external-unset'
  | 'router-external-differs-from-stun'
  | 'mappings-refused'
  | 'no-mapping-protocol'
  | 'router-rebooted';

export interface RouterFinding {
  id: RouterFindingId;
  severity: 'info' | 'warning' | 'problem';
  title: string;
  meaning: string;
  evidence: string[];
}

export interface RouterEvidence {
  /** External address each protocol reported (null = not asked or no answer). */
  externalIps: Partial<Record<MappingVia, string | null>>;
  /** Which protocols answered at all. */
  supported: Partial<Record<MappingVia, boolean>>;
  /** The public address a STUN server saw for this computer, if known. */
  stunMappedAddress?: string | null;
  /** Protocol error codes of mapping attempts that failed. */
  refusals?: { via: MappingVia; code: number }[];
  /** NAT-PMP/PCP epoch went backwards: the router rebooted and lost its mappings. */
  epochReset?: boolean;
}

function safeClass(ip: string): AddressClass | null {
  try {
    return classifyAddress(ip);
  } catch {
    return null;
  }
}

export function analyzeRouter(ev: RouterEvidence): RouterFinding[] {
  const out: RouterFinding[] = [];
  const reported = (Object.entries(ev.externalIps) as [MappingVia, string | null][]).filter(
    (e): e is [MappingVia, string] => typeof e[1] === 'string' && e[1].length > 0,
  );
  const seen = new Set<string>();
  for (const [via, ip] of reported) {
    if (seen.has(ip)) continue;
    seen.add(ip);
    const cls = safeClass(ip);
    const evidence = [`${via}: router external address ${ip}`];
    if (cls === 'unspecified') {
      out.push({
        id: 'router-external-unset',
        severity: 'warning',
        title: 'The router reports no external address',
        meaning: 'Its WAN connection is down or not configured; port mappings cannot work until it has one.',
        evidence,
      });
    } else if (cls === 'cgnat') {
      out.push({
        id: 'router-external-cgnat',
        severity: 'problem',
        title: 'Carrier-grade NAT: the router is behind your provider’s NAT',
        meaning:
          'The router’s external address is in 100.64.0.0/10 (RFC 6598). Mappings made on this router only open it, not the provider’s NAT: nobody on the internet can reach them. Ask the provider for a public IPv4 address or use a relay (TURN / SBC).',
        evidence,
      });
    } else if (cls === 'private' || cls === 'link-local' || cls === 'loopback') {
      out.push({
        id: 'router-external-private',
        severity: 'problem',
        title: 'Double NAT: the router is behind another router',
        meaning:
          'The router’s external address is private. A second NAT in front of it drops inbound traffic; mappings made here are not reachable from the internet. Put the first router in bridge mode, or forward the ports on the outer router too.',
        evidence,
      });
    }
  }
  const stun = ev.stunMappedAddress;
  if (stun) {
    const differing = reported.filter(([, ip]) => ip !== stun && safeClass(ip) !== 'unspecified');
    if (differing.length > 0) {
      out.push({
        id: 'router-external-differs-from-stun',
        severity: 'problem',
        title: 'Another NAT beyond the router',
        meaning:
          'The router’s external address is not the address the internet sees (STUN). Traffic passes a second NAT after this router, so mappings here do not make this computer reachable.',
        evidence: [
          ...differing.map(([via, ip]) => `${via}: router says ${ip}`),
          `STUN mapped address: ${stun}`,
        ],
      });
    }
  }
  const refusals = (ev.refusals ?? []).filter((r) => isDoubleNatRefusal(r.via, r.code));
  if (refusals.length > 0) {
    const tried = new Set((ev.refusals ?? []).map((r) => r.via));
    const allRefused = [...tried].every((via) => refusals.some((r) => r.via === via));
    out.push({
      id: 'mappings-refused',
      severity: allRefused ? 'problem' : 'warning',
      title:
        allRefused && tried.size > 1 ? 'The router refuses every mapping' : 'The router refused a mapping',
      meaning:
        'UPnP 501, NAT-PMP result 3 and PCP NO_RESOURCES are what a router answers when it cannot give out a public port — typically because it is itself behind another NAT (double NAT / CGNAT). Port mappings will not help; use a relay (TURN / SBC) or fix the outer NAT.',
      evidence: refusals.map((r) => `${r.via}: ${r.code} ${describeCode(r.via, r.code).name}`),
    });
  }
  const asked = Object.keys(ev.supported) as MappingVia[];
  if (asked.length > 0 && asked.every((v) => ev.supported[v] === false)) {
    out.push({
      id: 'no-mapping-protocol',
      severity: 'info',
      title: 'The router offers no port mapping (UPnP, NAT-PMP and PCP all silent)',
      meaning:
        'Softphones and PBXs that rely on UPnP/NAT-PMP (e.g. FreeSWITCH auto-nat) get no external address and no open ports; configure the external address and forwards by hand, or use STUN/ICE/TURN.',
      evidence: asked.map((v) => `${v}: no answer`),
    });
  }
  if (ev.epochReset) {
    out.push({
      id: 'router-rebooted',
      severity: 'warning',
      title: 'The router restarted (NAT-PMP/PCP epoch went back)',
      meaning: 'A router restart drops every mapping it held; clients must renew theirs.',
      evidence: ['epoch time smaller than expected'],
    });
  }
  return out;
}
