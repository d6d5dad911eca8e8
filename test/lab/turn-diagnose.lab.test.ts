// `natscope diagnose --turn-server …` through the symmetric and UDP-blocked lab NATs: coturn as the
// STUN server (RFC 5780) and as the TURN relay. The candidate summary must judge the reflexive UDP
// candidate by the measured NAT (symmetric → unreachable), and the findings must say a relay is needed
// and works — over TCP/TLS when UDP is blocked.
import { expect, it } from 'vitest';
import type { z } from 'zod';

import type { ReportSchema } from '../../shared/contracts/report.ts';
import { describeLab } from './describe-lab.ts';
import { withLab, type Lab } from './lab.ts';
import { startCoturnRelay, type CoturnRelay } from './peers/coturn-relay.ts';

type Report = z.infer<typeof ReportSchema>;

async function diagnose(
  lab: Lab,
  relay: CoturnRelay,
  transport: 'udp' | 'tcp' | 'tls',
  extra: string[] = [],
): Promise<Report> {
  const port = transport === 'tls' ? relay.tlsPort : relay.port;
  const r = await lab.natscope<Report>(
    'client',
    [
      'diagnose',
      '--no-router',
      '--stun-server',
      `${lab.addr.serverPrimary}:${lab.ports.coturn}`,
      '--turn-server',
      `${relay.address}:${port}`,
      '--turn-transport',
      transport,
      '--turn-user',
      'carol',
      '--turn-password',
      'relay-pass-9',
      ...(transport === 'tls' ? ['--turn-ca', relay.caPath!] : []),
      ...extra,
    ],
    { timeoutMs: 90_000 },
  );
  expect(r.json, `exit ${r.code}\n${r.stderr}`).toBeDefined();
  expect(r.stdout + r.stderr).not.toContain('relay-pass-9');
  return r.json!;
}

describeLab('lab natscope diagnose with a TURN relay', () => {
  it('symmetric NAT: reflexive UDP unreachable, relay-needed with the relayed candidate reachable', async () => {
    await withLab('symmetric', { stund: false }, async (lab) => {
      const relay = await startCoturnRelay(lab, { users: { carol: 'relay-pass-9' }, tls: false });
      const r = await diagnose(lab, relay, 'udp');
      expect(r.steps.find((s) => s.id === 'relay')).toMatchObject({ status: 'done' });
      const ids = r.findings.map((f) => f.id);
      expect(ids).toContain('symmetric-nat');
      expect(ids).toContain('relay-needed');
      expect(ids).not.toContain('relay-works');
      const srflx = r.relay!.candidates.find((c) => c.type === 'srflx' && c.transport === 'udp')!;
      expect(srflx).toMatchObject({ reachable: 'no' });
      expect(srflx.why).toMatch(/symmetric/);
      expect(r.relay!.candidates.find((c) => c.type === 'relay')).toMatchObject({ reachable: 'yes' });
      // the NAT step's own reflexive address is listed too, judged the same way
      expect(r.relay!.candidates.find((c) => c.source.startsWith('NAT step'))).toMatchObject({
        type: 'srflx',
        reachable: 'no',
        address: expect.stringMatching(/^203\.0\.113\.2:\d+$/) as string,
      });
    });
  });

  it('symmetric NAT with --echo-uri: the echo call through the relay beside the direct one (SIPp echo)', async () => {
    await withLab('symmetric', { stund: false }, async (lab) => {
      const relay = await startCoturnRelay(lab, { users: { carol: 'relay-pass-9' }, tls: false });
      await lab.startSippEcho();
      const echo = `sip:echo@${lab.addr.serverPrimary}:5060`;
      const r = await diagnose(lab, relay, 'udp', ['--echo-uri', echo, '--call-seconds', '3']);
      expect(r.steps.find((s) => s.id === 'call')).toMatchObject({ status: 'done' });
      expect(r.steps.find((s) => s.id === 'relay')).toMatchObject({ status: 'done' });
      // SIPp echoes to where the RTP came from, so the direct call has audio through the symmetric NAT
      // too; the relayed one advertises the relay's address and has audio both ways.
      expect(r.relay!.summary.echo).toMatch(
        /^direct: MOS \d\.\d, loss [\d.]+ %; through relay: MOS 4\.\d, loss [\d.]+ %$/,
      );
      const needed = r.findings.find((f) => f.id === 'relay-needed')!;
      expect(needed.title).toMatch(/^Direct media works here only with servers that send back/);
      expect(needed.evidence).toMatchObject({ relayedEchoMos: expect.any(Number) as number });
      expect(Number(needed.evidence.relayedEchoReceived)).toBeGreaterThan(100); // 3 s at 50 packets/s
    });
  });

  it('masquerade: port-restricted cone → reflexive UDP only after we send first; relay-works', async () => {
    await withLab('masquerade', { stund: false }, async (lab) => {
      const relay = await startCoturnRelay(lab, { users: { carol: 'relay-pass-9' }, tls: false });
      const r = await diagnose(lab, relay, 'udp');
      expect(r.relay!.candidates.find((c) => c.type === 'srflx')).toMatchObject({
        reachable: 'after-outbound',
      });
      expect(r.findings.map((f) => f.id)).toContain('relay-works');
    });
  });

  it('UDP blocked: relay over TLS is allocated and needed', async () => {
    await withLab('udp-blocked', { stund: false }, async (lab) => {
      const relay = await startCoturnRelay(lab, { users: { carol: 'relay-pass-9' } });
      const r = await diagnose(lab, relay, 'tls');
      const ids = r.findings.map((f) => f.id);
      expect(ids).toContain('udp-blocked');
      expect(ids).toContain('relay-needed');
      expect(r.relay!.summary).toMatchObject({ allocated: true, transport: 'tls' });
    });
  });
});
