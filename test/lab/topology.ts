// Fixed addresses and ports of the lab. Everything lives in documentation / private ranges and
// inside the lab's own network namespaces; nothing is routed anywhere else.

import type { VariantName } from './variants.ts';

export const HOSTS = ['client', 'router', 'cgn', 'inet', 'server', 'server2'] as const;
export type HostName = (typeof HOSTS)[number];

export const LAN_PREFIX = 24;
export const ADDR = {
  /** Client on the home LAN (NAT variants). */
  clientLan: '192.168.1.10',
  routerLan: '192.168.1.1',
  lanNet: '192.168.1.0/24',
  /** Client's public address in the no-nat variant (TEST-NET-1). */
  clientPublic: '192.0.2.10',
  routerPublicLan: '192.0.2.1',
  publicLanNet: '192.0.2.0/24',
  /** Home router WAN when it is directly on the internet segment. */
  routerWan: '203.0.113.2',
  /** double-nat: home router WAN and CGN inside (100.64.0.0/10). */
  routerWanCgn: '100.64.0.2',
  cgnInside: '100.64.0.1',
  cgnNetPrefix: 10,
  cgnNet: '100.64.0.0/10',
  /** double-nat: CGN public address. */
  cgnWan: '203.0.113.3',
  /** Server with two public addresses (coturn RFC 5780, stund RFC 3489, SIPp). */
  serverPrimary: '203.0.113.10',
  serverSecondary: '198.51.100.10',
  /** A second, independent server host. */
  server2: '203.0.113.20',
  net1: '203.0.113.0/24',
  net2: '198.51.100.0/24',
} as const;

export const PORTS = {
  /** coturn (RFC 5780 + RFC 3489) on both server addresses. */
  coturn: 3478,
  coturnAlt: 3479,
  /** Vovida stund (RFC 3489) on both server addresses. */
  stund: 3480,
  stundAlt: 3481,
  /** SIPp UAS (echo) on the server. */
  sip: 5060,
  /** SIPp digest registrar on the server. */
  registrar: 5070,
  /** miniupnpd on the home router's LAN address. */
  upnpHttp: 5000,
  natpmp: 5351,
  ssdp: 1900,
} as const;

/** Interface names (inside each namespace). */
export const IFACES = {
  clientLan: 'eth0',
  routerLan: 'lan0',
  routerWan: 'wan0',
  cgnInside: 'lan0',
  cgnWan: 'wan0',
  server: 'eth0',
  server2: 'eth0',
} as const;

export interface LabAddresses {
  /** Address configured on the client (private, or public for no-nat). */
  client: string;
  /** The home router's LAN address (gateway, miniupnpd listens here). */
  routerLan: string;
  /** The home router's WAN address (100.64.0.2 in double-nat). */
  routerWan: string;
  /** The address servers see for the client: routerWan, cgnWan or the client itself. */
  clientPublic: string;
  cgnInside: string | null;
  cgnWan: string | null;
  serverPrimary: string;
  serverSecondary: string;
  server2: string;
}

export function addressesFor(variant: VariantName): LabAddresses {
  const noNat = variant === 'no-nat';
  const dbl = variant === 'double-nat';
  return {
    client: noNat ? ADDR.clientPublic : ADDR.clientLan,
    routerLan: noNat ? ADDR.routerPublicLan : ADDR.routerLan,
    routerWan: dbl ? ADDR.routerWanCgn : ADDR.routerWan,
    clientPublic: noNat ? ADDR.clientPublic : dbl ? ADDR.cgnWan : ADDR.routerWan,
    cgnInside: dbl ? ADDR.cgnInside : null,
    cgnWan: dbl ? ADDR.cgnWan : null,
    serverPrimary: ADDR.serverPrimary,
    serverSecondary: ADDR.serverSecondary,
    server2: ADDR.server2,
  };
}
