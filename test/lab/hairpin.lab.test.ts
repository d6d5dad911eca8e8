// Smoke test: hairpinning (NAT loopback) is on or off as selected. Vovida stun-client sends to its
// own mapped address from the same socket; turnutils_natdiscovery -H uses a second socket (which
// the router's filtering may legitimately drop), so the RFC 5780 check is asserted where the
// lab's filtering lets it through.
import { expect, it } from 'vitest';

import { describeLab } from './describe-lab.ts';
import { withLab } from './lab.ts';
import { runNatDiscovery, runStunClient } from './reference.ts';
import type { VariantName } from './variants.ts';

const CASES: { variant: VariantName; natDiscovery: boolean }[] = [
  { variant: 'masquerade', natDiscovery: true },
  { variant: 'full-cone', natDiscovery: false },
  { variant: 'restricted-cone', natDiscovery: false },
  { variant: 'symmetric', natDiscovery: false },
  // the CGN hairpins (the client's public mapping lives there)
  { variant: 'double-nat', natDiscovery: false },
];

describeLab('lab hairpinning', () => {
  for (const c of CASES) {
    for (const hairpin of [true, false]) {
      it(`${c.variant} with hairpin ${hairpin ? 'on' : 'off'}`, async () => {
        await withLab(c.variant, { hairpin, stund: true, coturn: c.natDiscovery }, async (lab) => {
          expect(lab.expected.hairpinning).toBe(hairpin);
          const s = await runStunClient(lab);
          expect(s.hairpin, s.raw).toBe(hairpin);
          if (c.natDiscovery) {
            const r = await runNatDiscovery(lab, { hairpin: true });
            expect(r.hairpin, r.raw).toBe(hairpin);
          }
        });
      });
    }
  }
});
