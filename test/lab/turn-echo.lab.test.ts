// Issue #15 acceptance: the echo call's RTP through a TURN relay (coturn) to the lab's echo server
// (SIPp with -rtp_echo), measured exactly like the direct call and shown beside it. Through the
// symmetric NAT over UDP; with UDP blocked, signalling over TCP and the relay reached over TCP/TLS.
import { expect, it } from 'vitest';

import type { TurnReport } from '../../shared/contracts/turn.ts';
import { describeLab } from './describe-lab.ts';
import { SIPP_DIR, withLab, type Lab } from './lab.ts';
import { relayArgs, startCoturnRelay, type CoturnRelay } from './peers/coturn-relay.ts';

const USER = 'dave';
const PASS = 'echo-relay-pass';

async function turnEcho(
  lab: Lab,
  relay: CoturnRelay,
  transport: 'udp' | 'tcp' | 'tls',
  echoUri: string,
  echoTransport: 'udp' | 'tcp',
): Promise<TurnReport> {
  const r = await lab.natscope<TurnReport>(
    'client',
    [
      'turn',
      ...relayArgs(relay, transport, USER, PASS),
      ...['--echo-uri', echoUri, '--echo-transport', echoTransport, '--echo-seconds', '4'],
    ],
    { timeoutMs: 90_000 },
  );
  expect(r.json, `exit ${r.code}\n${r.stderr}\n${r.stdout.slice(0, 1500)}`).toBeDefined();
  expect(r.stdout + r.stderr).not.toContain(PASS);
  return r.json!;
}

/** Audio both ways through the relay: nearly every packet echoed, good MOS, relayed addresses in the SDP. */
function expectRelayedAudio(j: TurnReport, relay: CoturnRelay) {
  const e = j.echo!;
  expect(e.answered).toBe(true);
  expect(e.oneWayAudio).toBe(false);
  expect(e.rtp!.sent).toBeGreaterThan(150); // 4 s at 50 packets/s
  expect(e.rtp!.received).toBeGreaterThan(e.rtp!.sent * 0.9);
  expect(e.rtp!.mos).toBeGreaterThan(4);
  expect(e.relayedRtp).toMatch(new RegExp(`^${relay.address.replace(/\./g, '\\.')}:\\d+$`));
  const rtpPort = Number(e.relayedRtp!.split(':')[1]);
  expect(rtpPort % 2).toBe(0); // EVEN-PORT
  expect(e.relayedRtcp).toBe(`${relay.address}:${rtpPort + 1}`); // the reserved next port (RESERVATION-TOKEN)
  expect(e.summary).toMatch(/through relay: MOS 4\.\d/);
}

describeLab('relayed echo call (coturn + SIPp echo)', () => {
  it('symmetric NAT: the echo through the relay has audio both ways; the direct verdict is beside it', async () => {
    await withLab('symmetric', { stund: false }, async (lab) => {
      const relay = await startCoturnRelay(lab, { users: { [USER]: PASS }, tls: false });
      await lab.startSippEcho();
      const j = await turnEcho(lab, relay, 'udp', `sip:echo@${lab.addr.serverPrimary}:5060`, 'udp');
      expectRelayedAudio(j, relay);
      // SIPp's RTP echo answers to where the RTP came from (symmetric RTP), so the direct call has audio
      // too through the symmetric NAT: the verdict beside the relayed one is a working direct call.
      expect(j.echo!.direct).toMatchObject({ answered: true, oneWayAudio: false });
      expect(j.echo!.direct!.rtp!.received).toBeGreaterThan(0);
      expect(j.echo!.summary).toMatch(/^direct: MOS \d\.\d.*; through relay: MOS \d\.\d/);
      expect(j.findings.map((f) => f.id)).toEqual(['relay-works']);
    });
  });

  it('UDP blocked: signalling over TCP, relay over TCP and TLS → audio both ways; direct has none', async () => {
    await withLab('udp-blocked', { stund: false }, async (lab) => {
      const relay = await startCoturnRelay(lab, { users: { [USER]: PASS } });
      // SIPp echo UAS on SIP over TCP (5080); its RTP echo on 6010 (UDP, reachable only via the relay).
      const sipp = lab.spawn(
        'server',
        'sipp-tcp-echo',
        [
          'sipp',
          '-sf',
          `${SIPP_DIR}/uas-echo.xml`,
          '-t',
          't1',
          '-i',
          lab.addr.serverPrimary,
          '-p',
          '5080',
          '-nostdin',
          '-rtp_echo',
          '-mi',
          lab.addr.serverPrimary,
          '-mp',
          '6010',
        ],
        { cwd: lab.workDir },
      );
      await lab.waitReady(sipp, [{ proto: 'tcp', port: 5080 }]);
      for (const transport of ['tcp', 'tls'] as const) {
        const j = await turnEcho(lab, relay, transport, `sip:echo@${lab.addr.serverPrimary}:5080`, 'tcp');
        expectRelayedAudio(j, relay);
        expect(j.echo!.direct).toMatchObject({ answered: true, oneWayAudio: true });
        expect(j.echo!.direct!.rtp!.received).toBe(0);
        expect(j.echo!.summary).toMatch(/^direct: one-way audio/);
        expect(j.findings.map((f) => f.id)).toEqual(['relay-needed']);
      }
    });
  });
});
