import { classifyAddress } from '../address-class.ts';
import { hostOfEndpoint } from '../endpoint.ts';
import type { DiagnosisFacts } from './facts.ts';
import type { Finding } from './findings.ts';

/**
 * The offline demo (and any test against a server on this machine) reaches its STUN server over
 * loopback, where no NAT can sit: "no NAT, open internet" would be true of the loopback interface
 * and false of the user's network. Such NAT results are not judged; one finding says why.
 */
export function isLoopbackNat(facts: DiagnosisFacts): boolean {
  const mapped = facts.nat?.mappedAddress ?? facts.nat?.localAddress ?? null;
  if (!mapped) return false;
  try {
    return classifyAddress(hostOfEndpoint(mapped)) === 'loopback';
  } catch {
    return false;
  }
}

export function loopbackFinding(facts: DiagnosisFacts): Finding {
  return {
    id: 'loopback-only',
    area: 'nat',
    severity: 'info',
    title: 'Loopback only: the STUN server is on this computer, so nothing is known about your NAT',
    evidence: {
      mappedAddress: facts.nat?.mappedAddress ?? null,
      localAddress: facts.nat?.localAddress ?? null,
      server: facts.nat?.server ?? null,
    },
    advice: [
      'These results show how the NAT test works (the offline demo), not how your network behaves: run "Check my connection" without the demo, or natscope nat with a public STUN server.',
    ],
    references: [],
  };
}
