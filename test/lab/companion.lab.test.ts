// Issue #7 acceptance for `natscope server`: the reference clients (Vovida stun-client, RFC 3489;
// coturn's turnutils_natdiscovery, RFC 5780) classify the lab NATs against it exactly as the
// variant table says they do against coturn/stund; SIPp (a real UAC) completes a call with RTP
// echoed back by the echo UAS.
import { expect, it } from 'vitest';

import { describeLab } from './describe-lab.ts';
import { NATSCOPE_CLI, withLab } from './lab.ts';
import type { Lab } from './lab.ts';
import { ipOf, runNatDiscovery, runStunClient } from './reference.ts';
import type { VariantName } from './variants.ts';

async function startCompanion(lab: Lab, extra: string[] = []): Promise<void> {
  // STUN on coturn's ports (coturn is not started), so the reference helpers need no change.
  const p = lab.spawn('server', 'natscope-server', [
    process.execPath,
    NATSCOPE_CLI,
    'server',
    '--address',
    lab.addr.serverPrimary,
    '--alternate-address',
    lab.addr.serverSecondary,
    '--stun-port',
    String(lab.ports.coturn),
    '--stun-alt-port',
    String(lab.ports.coturnAlt),
    ...extra,
  ]);
  await lab.waitReady(
    p,
    [
      { proto: 'udp', port: lab.ports.coturn },
      { proto: 'udp', port: 5060 },
    ],
    8000,
  );
}

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
    it('stun-client and turnutils_natdiscovery classify it as against coturn/stund', async () => {
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
        console.log(
          `[companion lab] ${variant}: stun-client ${classic.classic}; natdiscovery mapping ${r.mapping}, filtering ${r.filtering}`,
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
      const r = await lab.runSipp('client', {
        scenario: 'uac-rtp.xml',
        port: 5090,
        remote: `${lab.addr.serverPrimary}:5060`,
        name: 'sipp-uac-echo',
        args: [
          '-s',
          'echo',
          '-m',
          '1',
          '-mi',
          lab.addr.client,
          '-mp',
          '7050',
          '-d',
          '7600',
          '-timeout',
          '20s',
          '-timeout_error',
        ],
        timeoutMs: 30_000,
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
