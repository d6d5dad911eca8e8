import { classifyAddress, type AddressClass } from '../../../../shared/model/address-class.ts';
import { hostOfEndpoint } from '../../../../shared/model/endpoint.ts';
import type { SessionResults } from '../../app/session/store.ts';

export interface SeenAddress {
  address: string;
  class: AddressClass;
  /** Where it comes from, in words: the evidence. */
  evidence: string;
}

export interface PublicAddresses {
  ipv4: SeenAddress | null;
  ipv6: SeenAddress | null;
  /** The only address seen is a loopback one: the offline demo, not a public address. */
  loopback: boolean;
}

const family = (a: string) => (a.includes(':') ? 6 : 4);
const safeClass = (a: string): AddressClass | null => {
  try {
    return classifyAddress(a);
  } catch {
    return null;
  }
};
const GLOBAL: AddressClass[] = ['public', 'documentation'];

/**
 * The address the internet sees. IPv4: what a STUN server saw (the strongest evidence), else the
 * external address the router reports. IPv6: a STUN-mapped IPv6 address, else a global IPv6 address
 * on an interface (IPv6 normally has no NAT, so that address is the one the internet sees).
 */
export function publicAddresses(r: SessionResults, opts: { demo?: boolean } = {}): PublicAddresses {
  let ipv4: SeenAddress | null = null;
  let ipv6: SeenAddress | null = null;
  const mapped = r.nat?.mappedAddress ? hostOfEndpoint(r.nat.mappedAddress) : null;
  const mappedClass = mapped ? safeClass(mapped) : null;
  if (mapped && mappedClass) {
    const server =
      r.nat?.servers.find((s) => s.mappedAddress)?.server ?? r.nat?.servers[0]?.server ?? 'the STUN server';
    const seen = {
      address: mapped,
      class: mappedClass,
      evidence: `STUN server ${server} saw ${r.nat!.mappedAddress}`,
    };
    if (family(mapped) === 4) ipv4 = seen;
    else ipv6 = seen;
  }
  // The demo's simulated router reports a made-up external address: never shown as yours.
  const router = opts.demo ? undefined : r.router;
  const routerIp = router
    ? (router.upnp.externalIp ?? router.natpmp.externalIp ?? router.pcp.externalIp)
    : null;
  if (!ipv4 && routerIp) {
    const via = router!.upnp.externalIp ? 'UPnP' : router!.natpmp.externalIp ? 'NAT-PMP' : 'PCP';
    const cls = safeClass(routerIp);
    if (cls)
      ipv4 = { address: routerIp, class: cls, evidence: `the router says so (${via} external address)` };
  }
  if (!ipv6 && r.network) {
    for (const i of r.network.interfaces)
      for (const a of i.addresses)
        if (!ipv6 && a.family === 6 && !a.internal && GLOBAL.includes(a.class))
          ipv6 = {
            address: a.address,
            class: a.class,
            evidence: `global IPv6 address on ${i.name} (IPv6 has no NAT here)`,
          };
  }
  const loopback = opts.demo === true || ipv4?.class === 'loopback' || ipv6?.class === 'loopback';
  return { ipv4, ipv6, loopback };
}
