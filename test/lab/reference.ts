// Reference clients (Debian packages) run inside the lab, with parsers for their output.
// These are the oracle NatScope is compared against.

import type { Lab } from './lab.ts';
import type { HostName } from './topology.ts';
import type { ClassicNatType, FilteringBehaviour, MappingBehaviour } from './variants.ts';

export interface StunClientResult {
  /** RFC 3489 classification by Vovida stun-client. */
  classic: ClassicNatType | 'unknown';
  /** Vovida's hairpin test (sent from the same socket). */
  hairpin: boolean;
  preservesPorts: boolean;
  raw: string;
}

/** Vovida stun-client (`stun SERVER:PORT`) against the lab's stund. ~1.2 s. */
export async function runStunClient(
  lab: Lab,
  host: HostName = 'client',
  server?: string,
): Promise<StunClientResult> {
  const target = server ?? `${lab.addr.serverPrimary}:${lab.ports.stund}`;
  const r = await lab.exec(host, ['stun', target], { timeoutMs: 40_000 });
  const raw = `${r.stdout}${r.stderr}`;
  return parseStunClient(raw);
}

export function parseStunClient(raw: string): StunClientResult {
  const line = /Primary: (.*)/.exec(raw)?.[1] ?? '';
  let classic: StunClientResult['classic'] = 'unknown';
  if (/^Open/.test(line)) classic = 'open-internet';
  else if (/Blocked/.test(line)) classic = 'udp-blocked';
  else if (/Firewall/i.test(line)) classic = 'symmetric-udp-firewall';
  else if (/Independent Mapping, Independent Filter/.test(line)) classic = 'full-cone';
  else if (/Independent Mapping, Address Dependent Filter/.test(line)) classic = 'restricted-cone';
  else if (/Independent Mapping, Port Dependent Filter/.test(line)) classic = 'port-restricted-cone';
  else if (/Dependent Mapping/.test(line)) classic = 'symmetric';
  return {
    classic,
    hairpin: /will hairpin/.test(line),
    preservesPorts: /preserves ports/.test(line),
    raw,
  };
}

export interface NatDiscoveryResult {
  /** "No NAT!" was reported (needs -L with the local address). */
  noNat: boolean;
  mapping: MappingBehaviour | null;
  filtering: FilteringBehaviour | null;
  /** RFC 5780 hairpin test (from a second socket) received the request. */
  hairpin: boolean;
  /** First UDP reflexive (mapped) address, "ip:port". */
  reflexive: string | null;
  /** Local address of the same response, "ip:port". */
  local: string | null;
  /** All STUN requests went unanswered. */
  noResponse: boolean;
  raw: string;
}

/**
 * coturn's turnutils_natdiscovery (RFC 5780) against the lab's coturn. Each unanswered probe
 * costs ~3 s, so ask only for what is needed.
 */
export async function runNatDiscovery(
  lab: Lab,
  tests: { mapping?: boolean; filtering?: boolean; hairpin?: boolean },
  host: HostName = 'client',
): Promise<NatDiscoveryResult> {
  const args = ['turnutils_natdiscovery'];
  if (tests.mapping === true) args.push('-m');
  if (tests.filtering === true) args.push('-f');
  if (tests.hairpin === true) args.push('-H');
  // Without -L it can never say "No NAT"; with -L it binds the lab address explicitly.
  args.push('-L', lab.ipOf(host));
  args.push('-p', String(lab.ports.coturn), lab.addr.serverPrimary);
  const r = await lab.exec(host, args, { timeoutMs: 40_000 });
  return parseNatDiscovery(`${r.stdout}${r.stderr}`);
}

const BEHAVIOUR: Record<string, MappingBehaviour> = {
  'Endpoint Independent': 'endpoint-independent',
  'Address Dependent': 'address-dependent',
  'Address and Port Dependent': 'address-and-port-dependent',
};

export function parseNatDiscovery(raw: string): NatDiscoveryResult {
  const m = /NAT with (Endpoint Independent|Address and Port Dependent|Address Dependent) Mapping!/.exec(raw);
  const f = /NAT with (Endpoint Independent|Address and Port Dependent|Address Dependent) Filtering!/.exec(
    raw,
  );
  const refl = /UDP reflexive addr: (\S+)/.exec(raw);
  const local = /Local addr: : (\S+)/.exec(raw);
  return {
    noNat: /No NAT!/.test(raw),
    mapping: m?.[1] !== undefined ? (BEHAVIOUR[m[1]] ?? null) : null,
    filtering: f?.[1] !== undefined ? (BEHAVIOUR[f[1]] ?? null) : null,
    hairpin: /successful hairpinning/.test(raw),
    reflexive: refl?.[1] ?? null,
    local: local?.[1] ?? null,
    noResponse: !/RFC 5780 response/.test(raw),
    raw,
  };
}

export function portOf(endpoint: string | null): number | null {
  if (endpoint === null) return null;
  const p = Number(endpoint.split(':').pop());
  return Number.isFinite(p) ? p : null;
}

export function ipOf(endpoint: string | null): string | null {
  if (endpoint === null) return null;
  const i = endpoint.lastIndexOf(':');
  return endpoint.slice(0, i);
}

/**
 * upnpc (miniupnpc) with -i (the lab's WAN address is in a range miniupnpc calls reserved).
 * discover=false skips the 2 s SSDP discovery by giving miniupnpd's root description URL (-u).
 */
export async function upnpc(
  lab: Lab,
  args: string[],
  opts: { host?: HostName; discover?: boolean } = {},
): Promise<{ code: number | null; out: string }> {
  const url =
    opts.discover === false ? ['-u', `http://${lab.addr.routerLan}:${lab.ports.upnpHttp}/rootDesc.xml`] : [];
  const r = await lab.exec(opts.host ?? 'client', ['upnpc', '-i', ...url, ...args], { timeoutMs: 40_000 });
  return { code: r.code, out: `${r.stdout}${r.stderr}` };
}

/** natpmpc with an explicit gateway. */
export async function natpmpc(
  lab: Lab,
  args: string[],
  host: HostName = 'client',
): Promise<{ code: number | null; out: string }> {
  const r = await lab.exec(host, ['natpmpc', '-g', lab.addr.routerLan, ...args], { timeoutMs: 40_000 });
  return { code: r.code, out: `${r.stdout}${r.stderr}` };
}
