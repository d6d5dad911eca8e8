/**
 * What every diagnosis rule file shares: the rule's shape, the references findings cite, and small
 * readers of the facts.
 */
import { classifyReportedAddress } from '../address-class.ts';
import { hostOfEndpoint } from '../endpoint.ts';
import type { DiagnosisFacts } from './facts.ts';
import type { Finding } from './findings.ts';

/**
 * A pure rule that turns probe facts into findings. Each rule reads only the sections it needs and
 * returns nothing when those are missing, so a partial run still yields sound findings.
 */
export type Rule = (f: DiagnosisFacts) => Finding[];

export const REF = {
  rfc4787: {
    title: 'RFC 4787 — NAT behavioural requirements for UDP',
    url: 'https://www.rfc-editor.org/rfc/rfc4787',
  },
  rfc5780: {
    title: 'RFC 5780 — NAT behaviour discovery using STUN',
    url: 'https://www.rfc-editor.org/rfc/rfc5780',
  },
  rfc6598: {
    title: 'RFC 6598 — Shared address space (100.64.0.0/10)',
    url: 'https://www.rfc-editor.org/rfc/rfc6598',
  },
  // Documentation home pages: the NAT pages move, the sites stay. Titles say what to look up there.
  fsNat: { title: 'FreeSWITCH docs — "NAT Traversal"', url: 'https://developer.signalwire.com/freeswitch/' },
  fsAutoNat: { title: 'FreeSWITCH docs — "Auto NAT"', url: 'https://developer.signalwire.com/freeswitch/' },
  asteriskNat: {
    title: 'Asterisk docs — "Configuring res_pjsip to work through NAT"',
    url: 'https://docs.asterisk.org/',
  },
};

export const ipOf = (ep: string | null): string | null => (ep ? hostOfEndpoint(ep) : null);

/** The class of an address the facts carry, or null. */
export const safeClass = classifyReportedAddress;

/** A router beyond the first hop answering from 100.64.0.0/10 (RFC 6598): the ISP runs a CGN. */
export function cgnHop(path: DiagnosisFacts['path']): string | null {
  return (
    path?.hops.find((h) => h.ttl >= 2 && h.address !== null && safeClass(h.address) === 'cgnat')?.address ??
    null
  );
}
