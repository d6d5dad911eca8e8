/**
 * The classic RFC 3489 label, derived from RFC 5780 mapping + filtering results (RFC 5780 §1 and
 * RFC 4787 explain why the old names do not cover every NAT: an address-dependent mapping is
 * reported as "symmetric" here, as RFC 3489 tools do).
 */
import type { ClassicNatType, FilteringBehaviour, MappingBehaviour } from '../contracts/nat.ts';

export interface ClassicInputs {
  udpBlocked: boolean;
  natDetected: boolean | null;
  mapping: MappingBehaviour | null;
  filtering: FilteringBehaviour | null;
}

/** null when the inputs do not determine a label (e.g. the server could not run the tests). */
export function classicNatType(r: ClassicInputs): ClassicNatType | null {
  if (r.udpBlocked) return 'udp-blocked';
  if (r.natDetected === false) {
    if (r.filtering === null) return null;
    return r.filtering === 'endpoint-independent' ? 'open-internet' : 'symmetric-udp-firewall';
  }
  if (r.natDetected === null || r.mapping === null) return null;
  if (r.mapping !== 'endpoint-independent') return 'symmetric';
  switch (r.filtering) {
    case 'endpoint-independent':
      return 'full-cone';
    case 'address-dependent':
      return 'restricted-cone';
    case 'address-and-port-dependent':
      return 'port-restricted-cone';
    default:
      return null;
  }
}

export const CLASSIC_LABEL: Record<ClassicNatType, string> = {
  'open-internet': 'Open Internet (no NAT, no filtering)',
  'full-cone': 'Full Cone',
  'restricted-cone': 'Restricted Cone',
  'port-restricted-cone': 'Port-Restricted Cone',
  symmetric: 'Symmetric',
  'symmetric-udp-firewall': 'Symmetric UDP Firewall (no NAT, but unsolicited packets are dropped)',
  'udp-blocked': 'UDP blocked',
};

export const BEHAVIOUR_LABEL: Record<MappingBehaviour, string> = {
  'endpoint-independent': 'Endpoint-independent',
  'address-dependent': 'Address-dependent',
  'address-and-port-dependent': 'Address- and port-dependent',
};
