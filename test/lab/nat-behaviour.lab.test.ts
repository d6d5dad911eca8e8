// Smoke test: every router variant behaves as named, judged only by the reference clients
// (Vovida stun-client against stund, coturn's turnutils_natdiscovery against coturn).
import { cpus, loadavg } from 'node:os';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { describeLab } from './describe-lab.ts';
import { attachLogs, startLab } from './lab.ts';
import type { Lab } from './lab.ts';
import { ipOf, portOf, runNatDiscovery, runStunClient } from './reference.ts';
import { VARIANT_NAMES } from './variants.ts';

for (const variant of VARIANT_NAMES) {
  describeLab(`lab variant ${variant}`, () => {
    let lab: Lab;
    beforeAll(async () => {
      lab = await startLab(variant);
    });
    afterAll(async () => {
      await lab?.destroy();
    });
    const withLogs = (fn: () => Promise<void>) => async (): Promise<void> => {
      try {
        await fn();
      } catch (err) {
        throw attachLogs(err, lab);
      }
    };

    it('comes up in under 5 s (on a machine that is not overloaded)', () => {
      // ~0.2-0.5 s normally; netns set-up serialises on kernel locks, so on a machine whose load
      // exceeds its cores (concurrent lab runs) only a generous bound is asserted
      const overloaded = loadavg()[0]! > cpus().length;
      if (overloaded)
        console.warn(`[lab] load ${loadavg()[0]?.toFixed(1)}: ${variant} came up in ${lab.startupMs} ms`);
      expect(lab.startupMs).toBeLessThan(overloaded ? 30_000 : 5000);
    });

    it(
      'stun-client (RFC 3489) classifies it as expected',
      withLogs(async () => {
        const r = await runStunClient(lab);
        expect(r.classic, r.raw).toBe(lab.expected.classic);
        if (!lab.expected.udpBlocked && lab.expected.natDetected) {
          expect(r.hairpin, r.raw).toBe(lab.expected.hairpinning);
          expect(r.preservesPorts, r.raw).toBe(lab.expected.portPreserved);
        }
      }),
    );

    it(
      'turnutils_natdiscovery (RFC 5780) finds the expected mapping and filtering',
      withLogs(async () => {
        const e = lab.expected;
        if (e.udpBlocked) {
          // mapping test only: each unanswered probe costs ~3 s
          const r = await runNatDiscovery(lab, { mapping: true });
          expect(r.noResponse, r.raw).toBe(true);
          expect(r.mapping, r.raw).toBeNull();
          return;
        }
        const r = await runNatDiscovery(lab, { mapping: true, filtering: true });
        expect(r.noNat, r.raw).toBe(!e.natDetected);
        expect(r.mapping, r.raw).toBe(e.mapping);
        expect(r.filtering, r.raw).toBe(e.filtering);
        // the reflexive address is the address servers see for the client (CGN in double-nat)
        expect(ipOf(r.reflexive), r.raw).toBe(lab.addr.clientPublic);
        if (e.portPreserved) expect(portOf(r.reflexive), r.raw).toBe(portOf(r.local));
        else expect(portOf(r.reflexive), r.raw).not.toBe(portOf(r.local));
      }),
    );
  });
}
