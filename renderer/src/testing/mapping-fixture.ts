import type { RouterMapping } from '../../../shared/contracts/router.ts';

/** A UPnP mapping row for tests: a permanent UDP mapping of another LAN device unless overridden. */
export function mapping(p: Partial<RouterMapping> & { externalPort: number }): RouterMapping {
  return {
    via: 'upnp',
    protocol: 'udp',
    externalIp: '203.0.113.2',
    internalClient: '192.168.1.20',
    internalPort: p.externalPort,
    remoteHost: null,
    description: 'x',
    enabled: true,
    leaseSeconds: 0,
    leaseRemainingSeconds: null,
    permanent: true,
    createdByNatScope: false,
    kept: false,
    ledgerId: null,
    ...p,
  };
}
