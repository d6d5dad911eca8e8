// Router variants of the network lab and the behaviour each one is built to show.
// This table is the oracle: the smoke tests prove the lab matches it using reference
// clients only, and NatScope's integration tests compare NatScope's verdicts to it.

export const VARIANT_NAMES = [
  'masquerade',
  'symmetric',
  'full-cone',
  'restricted-cone',
  'udp-blocked',
  'no-nat',
  'double-nat',
] as const;

export type VariantName = (typeof VARIANT_NAMES)[number];

/** RFC 4787 / RFC 5780 mapping behaviour. */
export type MappingBehaviour = 'endpoint-independent' | 'address-dependent' | 'address-and-port-dependent';

/** RFC 4787 / RFC 5780 filtering behaviour. */
export type FilteringBehaviour = 'endpoint-independent' | 'address-dependent' | 'address-and-port-dependent';

/** RFC 3489 ("classic STUN") classification. */
export type ClassicNatType =
  | 'open-internet'
  | 'full-cone'
  | 'restricted-cone'
  | 'port-restricted-cone'
  | 'symmetric'
  | 'symmetric-udp-firewall'
  | 'udp-blocked';

export interface ExpectedBehaviour {
  /** null when UDP does not get through at all (or there is no NAT). */
  mapping: MappingBehaviour | null;
  filtering: FilteringBehaviour | null;
  /** The home router sends a packet addressed to its own public mapping back into the LAN. */
  hairpinning: boolean;
  /** The client's address differs from the address servers see. */
  natDetected: boolean;
  udpBlocked: boolean;
  classic: ClassicNatType;
  /** Number of NATs between client and internet (0, 1 or 2). */
  natLayers: 0 | 1 | 2;
  /** Source port seen by servers equals the client's local port (for a fresh port). */
  portPreserved: boolean;
  /** The home router's IGD/NAT-PMP/PCP can create a mapping that is reachable from the internet. */
  upnpMappingUsable: boolean;
  /**
   * With the SIP ALG on, the address the home router's ALG writes into Via/Contact/SDP:
   * 'router-wan' = the home router's WAN address (the public address with one NAT, but the
   * 100.64.0.2 CGN-side address in double-nat — a classic fault); 'none' = nothing is rewritten.
   */
  algRewritesTo: 'router-wan' | 'none';
}

export interface VariantInfo {
  name: VariantName;
  description: string;
  /** Behaviour with the default options (hairpin off). */
  expected: ExpectedBehaviour;
  /** Hairpin can be switched on for this variant. */
  hairpinCapable: boolean;
}

export const VARIANTS: Readonly<Record<VariantName, VariantInfo>> = {
  masquerade: {
    name: 'masquerade',
    description:
      'Linux default: nftables masquerade. Endpoint-independent mapping (source port kept), address-and-port-dependent filtering (conntrack).',
    hairpinCapable: true,
    expected: {
      mapping: 'endpoint-independent',
      filtering: 'address-and-port-dependent',
      hairpinning: false,
      natDetected: true,
      udpBlocked: false,
      classic: 'port-restricted-cone',
      natLayers: 1,
      portPreserved: true,
      upnpMappingUsable: true,
      algRewritesTo: 'router-wan',
    },
  },
  symmetric: {
    name: 'symmetric',
    description:
      'masquerade fully-random: a new random public port for every destination (address-and-port-dependent mapping and filtering).',
    hairpinCapable: true,
    expected: {
      mapping: 'address-and-port-dependent',
      filtering: 'address-and-port-dependent',
      hairpinning: false,
      natDetected: true,
      udpBlocked: false,
      classic: 'symmetric',
      natLayers: 1,
      portPreserved: false,
      upnpMappingUsable: true,
      algRewritesTo: 'router-wan',
    },
  },
  'full-cone': {
    name: 'full-cone',
    description:
      'masquerade plus an nftables map learnt after SNAT (public port -> private endpoint) that DNATs any inbound packet: endpoint-independent mapping and filtering.',
    hairpinCapable: true,
    expected: {
      mapping: 'endpoint-independent',
      filtering: 'endpoint-independent',
      hairpinning: false,
      natDetected: true,
      udpBlocked: false,
      classic: 'full-cone',
      natLayers: 1,
      portPreserved: true,
      upnpMappingUsable: true,
      algRewritesTo: 'router-wan',
    },
  },
  'restricted-cone': {
    name: 'restricted-cone',
    description:
      'masquerade plus learnt maps that admit inbound packets only from remote addresses the mapping has sent to (any port): endpoint-independent mapping, address-dependent filtering.',
    hairpinCapable: true,
    expected: {
      mapping: 'endpoint-independent',
      filtering: 'address-dependent',
      hairpinning: false,
      natDetected: true,
      udpBlocked: false,
      classic: 'restricted-cone',
      natLayers: 1,
      portPreserved: true,
      upnpMappingUsable: true,
      algRewritesTo: 'router-wan',
    },
  },
  'udp-blocked': {
    name: 'udp-blocked',
    description:
      'masquerade, but the router drops all forwarded UDP (TCP still works): no STUN answer reaches the client.',
    hairpinCapable: false,
    expected: {
      mapping: null,
      filtering: null,
      hairpinning: false,
      natDetected: true,
      udpBlocked: true,
      classic: 'udp-blocked',
      natLayers: 1,
      portPreserved: false,
      upnpMappingUsable: false,
      algRewritesTo: 'none',
    },
  },
  'no-nat': {
    name: 'no-nat',
    description:
      'The router only routes: the client has a public address (192.0.2.10) and nothing is filtered.',
    hairpinCapable: false,
    expected: {
      mapping: 'endpoint-independent',
      filtering: 'endpoint-independent',
      hairpinning: true,
      natDetected: false,
      udpBlocked: false,
      classic: 'open-internet',
      natLayers: 0,
      portPreserved: true,
      upnpMappingUsable: false,
      algRewritesTo: 'none',
    },
  },
  'double-nat': {
    name: 'double-nat',
    description:
      'Home router masquerade (WAN 100.64.0.2) behind a CGN masquerade (100.64.0.1 -> 203.0.113.3): endpoint-independent mapping, address-and-port-dependent filtering, two NAT layers; UPnP on the home router is useless.',
    hairpinCapable: true,
    expected: {
      mapping: 'endpoint-independent',
      filtering: 'address-and-port-dependent',
      hairpinning: false,
      natDetected: true,
      udpBlocked: false,
      classic: 'port-restricted-cone',
      natLayers: 2,
      portPreserved: true,
      upnpMappingUsable: false,
      algRewritesTo: 'router-wan',
    },
  },
};

export interface VariantOptions {
  /** Home router hairpinning (NAT loopback). Default off. Ignored where not hairpin-capable. */
  hairpin?: boolean;
}

export function isVariantName(name: string): name is VariantName {
  return (VARIANT_NAMES as readonly string[]).includes(name);
}

/** Expected behaviour of a variant with the given options. */
export function expectedBehaviour(variant: VariantName, options: VariantOptions = {}): ExpectedBehaviour {
  const info = VARIANTS[variant];
  const expected = { ...info.expected };
  if (info.hairpinCapable && options.hairpin === true) expected.hairpinning = true;
  return expected;
}
