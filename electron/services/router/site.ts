/**
 * Where the router is: the IPv4 default gateway (or the one the user named), this computer's
 * address towards it (the route source, without sending a packet) and every IPv4 LAN address.
 */
import { takeNetworkSnapshot } from '../../engine/netinfo/snapshot.ts';
import type { SystemSource } from '../../engine/netinfo/system-source.ts';
import type { MapperSite } from '../../engine/mappings/port-mapper.ts';

export interface RouterTarget {
  gateway?: string;
  igdLocation?: string;
}

export async function locateRouter(system: SystemSource, target: RouterTarget): Promise<MapperSite> {
  const snap = await takeNetworkSnapshot(system);
  const gateway = target.gateway ?? snap.gateways.find((g) => g.family === 4)?.address ?? null;
  const localAddress = (gateway ? await system.routeSource(gateway) : null) ?? snap.primary?.address ?? null;
  const lanAddresses = snap.interfaces.flatMap((i) =>
    i.addresses.filter((a) => a.family === 4 && !a.internal && a.class !== 'loopback').map((a) => a.address),
  );
  return {
    gateway,
    localAddress: localAddress && !localAddress.includes(':') ? localAddress : null,
    lanAddresses,
    igdLocation: target.igdLocation,
  };
}
