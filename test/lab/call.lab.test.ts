// Echo-test calls (`natscope call`) through the lab's NATs against SIPp: the echo UAS
// (uas-echo.xml, -rtp_echo) and the digest registrar (registrar.xml). Issue #6 acceptance:
// answered with audio both ways through masquerade, symmetric and double NAT; REGISTER right /
// wrong password; the first INVITE dropped → retransmitted; RTP back-path blocked → one-way audio.
import { afterAll, beforeAll, expect, it } from 'vitest';

import type { CallResult } from '../../shared/contracts/call.ts';
import { withNftTable } from './call-run.ts';
import { describeLab } from './describe-lab.ts';
import { attachLogs, startLab } from './lab.ts';
import type { Lab } from './lab.ts';
import type { VariantName } from './variants.ts';

const SECRET = 'secret'; // registrar.xml's password (set with -set pass)

async function startEchoServers(lab: Lab): Promise<void> {
  await lab.startSippEcho();
  await lab.startSippRegistrar('alice', SECRET);
}

async function call(lab: Lab, args: string[], timeoutMs = 60_000) {
  const r = await lab.natscope<CallResult>(
    'client',
    ['call', `sip:echo@${lab.addr.serverPrimary}:${lab.ports.sip}`, ...args],
    { timeoutMs },
  );
  if (!r.json) throw new Error(`natscope call printed no JSON (exit ${r.code}):\n${r.stderr}\n${r.stdout}`);
  return { ...r, result: r.json };
}

function expectTwoWayAudio(r: CallResult, durationSec: number): void {
  expect(r.answered).toBe(true);
  expect(r.sipStatus).toBe(200);
  expect(r.endReason).toBe('completed');
  expect(r.oneWayAudio).toBe(false);
  // Nominally 50 packets/s; on a saturated machine the sender skips frames after a stall rather
  // than bursting them, so only require that media really ran.
  expect(r.rtp!.sent).toBeGreaterThanOrEqual(durationSec * 50 * 0.5);
  // Audio both ways: SIPp echoes every packet back through the NAT.
  expect(r.rtp!.received).toBeGreaterThan(r.rtp!.sent * 0.95);
  expect(r.rtp!.mos).toBeGreaterThan(4);
}

const variants: VariantName[] = ['masquerade', 'symmetric', 'double-nat'];

for (const variant of variants) {
  describeLab(`lab echo call (${variant})`, () => {
    let lab: Lab;
    beforeAll(async () => {
      lab = await startLab(variant, { stund: false, coturn: variant === 'masquerade' });
      await startEchoServers(lab);
    });
    afterAll(async () => {
      await lab?.destroy();
    });
    const withLogs = (fn: () => Promise<void>) => async (): Promise<void> => {
      try {
        await fn();
      } catch (err) {
        throw attachLogs(
          new Error(`${err instanceof Error ? err.message : String(err)}\n${lab.sippTraces().slice(-6000)}`),
          lab,
        );
      }
    };

    it(
      'is answered and audio flows both ways through the NAT',
      withLogs(async () => {
        const { result: r, code } = await call(lab, ['--duration', '5']);
        expect(code).toBe(0);
        expectTwoWayAudio(r, 5);
        // We advertised the private address; SIPp's -rtp_echo answers to the source, so audio flows.
        expect(r.media!.advertisedRtp).toMatch(/^192\.168\.1\.10:/);
        // SIPp copies Via without adding received/rport, so the signalling cannot show the NAT here.
        expect(r.signaling.viaReceived).toBeNull();
        expect(r.messages.map((m) => m.summary.split(' ')[0])).toEqual(
          expect.arrayContaining(['INVITE', '200', 'ACK', 'BYE']),
        );
      }),
    );

    if (variant !== 'masquerade') return;

    it(
      'advertise = stun puts the STUN-mapped address into the SDP',
      withLogs(async () => {
        const { result: r } = await call(lab, [
          '--duration',
          '3',
          '--advertise',
          'stun',
          '--stun',
          `${lab.addr.serverPrimary}:${lab.ports.coturn}`,
        ]);
        expectTwoWayAudio(r, 3);
        expect(r.media!.advertisedRtp).toMatch(new RegExp(`^${lab.addr.routerWan!.replace(/\./g, '\\.')}:`));
        expect(r.findings.map((f) => f.code)).not.toContain('private-address-in-sdp');
      }),
    );

    it(
      'REGISTER with digest succeeds with the right password and fails clearly with a wrong one',
      withLogs(async () => {
        const reg = ['--registrar', `${lab.addr.serverPrimary}:${lab.ports.registrar}`, '--user', 'alice'];
        const ok = await call(lab, [...reg, '--password', SECRET, '--duration', '3']);
        expect(ok.result.registration).toMatchObject({ ok: true, status: 200, authAlgorithm: 'MD5' });
        expectTwoWayAudio(ok.result, 3);
        const bad = await call(lab, [...reg, '--password', 'wrong-pass']);
        expect(bad.code).toBe(1);
        expect(bad.result.registration).toMatchObject({ ok: false, status: 403 });
        expect(bad.result.endReason).toBe('auth-failed');
        expect(bad.result.findings.find((f) => f.code === 'auth-failed')?.message).toMatch(
          /user name and password/,
        );
        for (const out of [ok.stdout, ok.stderr, bad.stdout, bad.stderr]) {
          expect(out).not.toContain('wrong-pass');
          expect(out).not.toMatch(new RegExp(`"${SECRET}"|password ${SECRET}`));
        }
        expect(ok.stdout).toContain('Authorization: [redacted]');
      }),
    );

    it(
      'with the first INVITE dropped, the UAC retransmits (Timer A) and the call succeeds',
      withLogs(async () => {
        // On the router (a drop in the client's own output hook would fail send() with EPERM):
        // quota lets the rule match only the first UDP packet to 5060 (the INVITE, < 1200 bytes).
        const rule = `  chain c_fwd {\n    type filter hook forward priority -10;\n    udp dport ${lab.ports.sip} quota until 1200 bytes drop\n  }`;
        await withNftTable(lab, 'router', 'natscope_drop_invite', rule, async () => {
          const { result: r } = await call(lab, ['--duration', '3']);
          expectTwoWayAudio(r, 3);
          const invites = r.messages.filter((m) => m.method === 'INVITE' && m.direction === 'sent');
          expect(invites.length).toBeGreaterThanOrEqual(2);
          expect(invites[1]!.retransmission).toBe(true);
          console.log(
            `[drop-invite] ${r.messages.map((m) => `${m.atMs}ms ${m.direction} ${m.summary}${m.retransmission ? ' (retx)' : ''}`).join(' | ')}`,
          );
          expect(invites[1]!.atMs - invites[0]!.atMs).toBeGreaterThanOrEqual(450);
          expect(invites[1]!.atMs - invites[0]!.atMs).toBeLessThan(1000);
        });
      }),
    );

    it(
      'RTP back-path blocked: detected and explained as one-way audio',
      withLogs(async () => {
        const rule = `  chain c_fwd {\n    type filter hook forward priority -10;\n    ip saddr ${lab.addr.serverPrimary} udp sport 6000 drop\n  }`;
        await withNftTable(lab, 'router', 'natscope_oneway', rule, async () => {
          const { result: r, code } = await call(lab, ['--duration', '5']);
          expect(code).toBe(1);
          expect(r.answered).toBe(true);
          expect(r.oneWayAudio).toBe(true);
          expect(r.rtp!.received).toBe(0);
          expect(r.findings.find((f) => f.code === 'one-way-audio')?.message).toMatch(/One-way audio/);
        });
      }),
    );
  });
}
