// Issue #13 "verdicts you can trust": a STUN server that does not answer is "the server did not
// answer", never "UDP blocked"; UDP blocked needs independent evidence. Real peers: the kernel's
// NAT, coturn (RFC 5780) and SIPp as the echo; the silent servers are addresses on the lab's
// "internet" where no host lives (nothing answers over UDP or TCP).
import { expect, it } from 'vitest';

import type { NatReport } from '../../shared/contracts/nat.ts';
import type { ReportSchema } from '../../shared/contracts/report.ts';
import type { z } from 'zod';
import { describeLab } from './describe-lab.ts';
import { withLab } from './lab.ts';

type Report = z.infer<typeof ReportSchema>;

/** No host has these addresses: packets to them vanish (no ARP answer), like a server that is down. */
const SILENT_1 = '203.0.113.99';
const SILENT_2 = '198.51.100.99';

describeLab('STUN verdicts need evidence (coturn, SIPp, kernel NAT)', () => {
  it('one silent server: "did not answer", NAT unknown — not UDP blocked; the call still runs', async () => {
    await withLab('masquerade', { stund: false }, async (lab) => {
      const nat = await lab.natscope<NatReport>('client', ['nat', '--server', `${SILENT_1}:3478`]);
      expect(nat.json, nat.stderr).toBeDefined();
      expect(nat.json).toMatchObject({
        udpBlocked: false,
        serverSilent: true,
        classic: null,
        natDetected: null,
      });
      expect(nat.json!.udpEvidence).toMatch(/did not answer over UDP or TCP/);

      await lab.startSippEcho();
      const s = lab.addr.serverPrimary;
      const d = await lab.natscope<Report>(
        'client',
        [
          'diagnose',
          '--stun-server',
          `${SILENT_1}:3478`,
          '--echo-uri',
          `sip:echo@${s}:5060`,
          '--call-seconds',
          '3',
          '--no-router',
        ],
        { timeoutMs: 90_000 },
      );
      expect(d.json, d.stderr).toBeDefined();
      const ids = d.json!.findings.map((f) => f.id);
      expect(ids).toContain('stun-no-answer');
      expect(ids).not.toContain('udp-blocked');
      // Nothing shows UDP blocked, so the UDP call is tried — and works through the NAT.
      expect(d.json!.steps.find((x) => x.id === 'call')).toMatchObject({ status: 'done' });
      expect(ids).toContain('call-ok');
    });
  });

  it('a silent server beside a working one (coturn): the working one decides, nothing is "blocked"', async () => {
    await withLab('masquerade', { stund: false }, async (lab) => {
      const r = await lab.natscope<NatReport>('client', [
        'nat',
        '--server',
        `${SILENT_1}:3478`,
        '--server',
        `${lab.addr.serverPrimary}:${lab.ports.coturn}`,
      ]);
      expect(r.json, r.stderr).toBeDefined();
      expect(r.json).toMatchObject({ udpBlocked: false, serverSilent: false, classic: lab.expected.classic });
      expect(r.json!.mappedAddress?.split(':')[0]).toBe(lab.addr.clientPublic);
    });
  });

  it('UDP really blocked: two different silent servers, or a host that answers over TCP only', async () => {
    await withLab('udp-blocked', { stund: false }, async (lab) => {
      const two = await lab.natscope<NatReport>('client', [
        'nat',
        '--server',
        `${SILENT_1}:3478`,
        '--server',
        `${SILENT_2}:3478`,
      ]);
      expect(two.json, two.stderr).toBeDefined();
      expect(two.json).toMatchObject({ udpBlocked: true, classic: 'udp-blocked' });
      expect(two.json!.udpEvidence).toMatch(/no UDP answer from 2 different servers/);

      // coturn's host is up and refuses TCP on the STUN port (UDP-only coturn): the path works, UDP does not.
      const one = await lab.natscope<NatReport>('client', [
        'nat',
        '--server',
        `${lab.addr.serverPrimary}:${lab.ports.coturn}`,
      ]);
      expect(one.json, one.stderr).toBeDefined();
      expect(one.json).toMatchObject({ udpBlocked: true, serverSilent: false });
      expect(one.json!.udpEvidence).toMatch(/host answers over TCP but nothing came back over UDP/);

      // The same lone silent server that proves nothing in a working network proves nothing here either.
      const lone = await lab.natscope<NatReport>('client', ['nat', '--server', `${SILENT_1}:3478`]);
      expect(lone.json).toMatchObject({ udpBlocked: false, serverSilent: true });
    });
  });
});
