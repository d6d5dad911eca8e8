// Issue #7 acceptance for `natscope server`: the reference clients (Vovida stun-client, RFC 3489;
// coturn's turnutils_natdiscovery, RFC 5780) classify the lab NATs against it exactly as the
// variant table says they do against coturn/stund; SIPp (a real UAC) completes a call with RTP
// echoed back by the echo UAS.
import { expect, it } from 'vitest';

import type { NatReport } from '../../shared/contracts/nat.ts';
import { describeLab } from './describe-lab.ts';
import { sippEchoCall, startCompanion } from './companion-peer.ts';
import { withLab } from './lab.ts';
import { ipOf, runNatDiscovery, runStunClient } from './reference.ts';
import type { VariantName } from './variants.ts';

const VARIANTS: VariantName[] = [
  'masquerade',
  'symmetric',
  'full-cone',
  'restricted-cone',
  'no-nat',
  'double-nat',
];

for (const variant of VARIANTS) {
  describeLab(`lab natscope server STUN (${variant})`, () => {
    it('stun-client, turnutils_natdiscovery and natscope nat classify it as against coturn/stund', async () => {
      await withLab(variant, { coturn: false, stund: false }, async (lab) => {
        await startCompanion(lab);
        const e = lab.expected;
        const classic = await runStunClient(lab, 'client', `${lab.addr.serverPrimary}:${lab.ports.coturn}`);
        expect(classic.classic, classic.raw).toBe(e.classic);
        const r = await runNatDiscovery(lab, { mapping: true, filtering: true });
        expect(r.noNat, r.raw).toBe(!e.natDetected);
        expect(r.mapping, r.raw).toBe(e.mapping);
        expect(r.filtering, r.raw).toBe(e.filtering);
        expect(ipOf(r.reflexive), r.raw).toBe(lab.addr.clientPublic);
        // and NatScope's own client (bare IPv4 requests: the 56-byte answer still carries RFC 5780's attributes)
        const own = await lab.natscope<NatReport>('client', [
          'nat',
          '--server',
          `${lab.addr.serverPrimary}:${lab.ports.coturn}`,
        ]);
        const why = own.stdout.slice(0, 4000);
        expect(own.json?.serverCapable, why).toBe(true);
        expect(own.json?.mapping, why).toBe(e.mapping);
        expect(own.json?.filtering, why).toBe(e.filtering);
        expect(own.json?.classic, why).toBe(e.classic);
        console.log(
          `[companion lab] ${variant}: stun-client ${classic.classic}; natdiscovery mapping ${r.mapping}, filtering ${r.filtering}; natscope nat ${own.json?.classic}`,
        );
      });
    });
  });
}

describeLab('lab natscope server echo UAS (SIPp)', () => {
  it('SIPp completes a call and its RTP comes back (masquerade)', async () => {
    await withLab('masquerade', { coturn: false, stund: false }, async (lab) => {
      await startCompanion(lab);
      const cap = await lab.capture('client', 'udp');
      // the companion challenges an unverified UDP source once (return routability): SIPp answers
      const r = await sippEchoCall(lab, {
        port: 5090,
        durationMs: 7600,
        name: 'sipp-uac-echo',
        args: ['-mi', lab.addr.client, '-mp', '7050'],
      });
      const { packets } = await cap.stop();
      expect(r.code, `${r.log}\n${lab.sippTraces()}`).toBe(0);
      const flow = (src: RegExp, dst: RegExp) =>
        packets.filter((p) => {
          const m = / (\S+) > (\S+):/.exec(p.split('\n')[0] ?? '');
          return m !== null && src.test(m[1] ?? '') && dst.test(m[2] ?? '');
        }).length;
      const out = flow(/^192\.168\.1\.10\.7050$/, /^203\.0\.113\.10\.\d+$/);
      const back = flow(/^203\.0\.113\.10\.\d+$/, /^192\.168\.1\.10\.7050$/);
      console.log(`[companion lab] SIPp echo call: ${out} RTP packets out, ${back} back`);
      expect(out).toBeGreaterThan(200); // g711a.pcap holds 236 RTP packets
      expect(back).toBeGreaterThan(200);
    });
  });
});
