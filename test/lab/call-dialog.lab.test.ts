// Issue #12, defects 3 and 6: what happens inside the dialog, against SIPp scenarios that play
// the far end (test/lab/sipp/uas-*.xml). SIPp checks our answers itself (check_it: a wrong answer
// fails its call and its exit code), and the tests check where our media went and what NatScope
// concluded. Through the lab's masquerade NAT, like a user behind a home router.
import { expect, it } from 'vitest';

import type { CallResult } from '../../shared/contracts/call.ts';
import { finding, runCall } from './call-run.ts';
import { describeLab } from './describe-lab.ts';
import type { Peer } from './lab.ts';
import { labFixture } from './lab-fixture.ts';

const MOVED_ECHO_PORT = 7000;

describeLab('lab echo call: dialog correctness (SIPp far ends)', () => {
  // Where the far end moves the media to: another host's echo.
  const f = labFixture('masquerade', { coturn: false, stund: false }, async (lab) => {
    await lab.startUdpTool(
      'server2',
      'echo-moved',
      ['echo', '--bind', `${lab.addr.server2}:${MOVED_ECHO_PORT}`],
      MOVED_ECHO_PORT,
    );
  });
  const withLogs = f.withLogs;
  let nextPort = 5100;

  /** One SIPp UAS (one call, -m 1) with its media echo on port + 10000. */
  async function uas(
    scenario: string,
    args: string[] = [],
  ): Promise<{ sipp: Peer; uri: string; media: string }> {
    // SIPp binds its media port and media port + 2 (video): keep instances 4 apart
    const port = nextPort;
    nextPort += 4;
    const lab = f.lab;
    const sipp = await lab.startSipp('server', {
      scenario,
      port,
      name: `sipp-${scenario.replace('.xml', '')}`,
      args: ['-rtp_echo', '-mi', lab.addr.serverPrimary, '-mp', String(port + 10_000), '-m', '1', ...args],
    });
    return {
      sipp,
      uri: `sip:echo@${lab.addr.serverPrimary}:${port}`,
      media: `${lab.addr.serverPrimary}:${port + 10_000}`,
    };
  }

  function expectEchoBothWays(r: CallResult): void {
    expect(r.answered).toBe(true);
    expect(r.endReason).toBe('completed');
    expect(r.oneWayAudio).toBe(false);
    expect(r.rtp!.received).toBeGreaterThan(r.rtp!.sent * 0.9);
    expect(r.findings.map((f) => f.code)).not.toContain('one-way-audio');
  }

  const moves = [
    // re-INVITE (RFC 3261 §14) offering PCMA only: the answer must not add formats (RFC 3264 §6.1)
    { scenario: 'uas-reinvite-move.xml', by: 're-invite', codec: 'pcma', title: 're-INVITE' },
    { scenario: 'uas-update.xml', by: 'update', codec: 'pcmu', title: 'UPDATE (RFC 3311)' },
  ] as const;
  for (const m of moves)
    it(
      `${m.title} that moves media: answered with the offered format only, RTP follows, stats follow`,
      withLogs(async () => {
        const lab = f.lab;
        const moved = `${lab.addr.server2}:${MOVED_ECHO_PORT}`;
        const newMedia = ['-set', 'newip', lab.addr.server2, '-set', 'newport', String(MOVED_ECHO_PORT)];
        const { sipp, uri } = await uas(m.scenario, newMedia);
        const { result: r } = await runCall(lab, uri, ['--duration', '6']);
        // SIPp's check_it: our 200 answered with the offered format only, sendrecv.
        expect(await sipp.waitExit(20_000)).toBe(0);
        expectEchoBothWays(r);
        expect(r.media!.remoteSdpRtp).toBe(moved);
        expect(r.media!.codec).toBe(m.codec);
        expect(r.media!.changes).toEqual([
          expect.objectContaining({ by: m.by, remoteRtp: moved, direction: 'sendrecv', codec: m.codec }),
        ]);
        const fromMoved = r.media!.remoteActualRtp.find((s) => s.endpoint === moved)?.packets ?? 0;
        expect(fromMoved).toBeGreaterThan(100); // ≈ 4 s of 50 pps after the move at 2 s
        expect(r.findings.map((x) => x.code)).not.toContain('rtp-source-mismatch');
      }),
    );

  it(
    'hold (a=sendonly) is answered a=recvonly and honoured; resume is answered a=sendrecv; no one-way verdict',
    withLogs(async () => {
      const { sipp, uri } = await uas('uas-hold.xml');
      const { result: r, liveFindings } = await runCall(f.lab, uri, ['--duration', '8']);
      expect(await sipp.waitExit(20_000)).toBe(0);
      expectEchoBothWays(r);
      expect(liveFindings.join('\n')).not.toMatch(/one-way/i);
      expect(r.media!.changes.map((c) => c.direction)).toEqual(['recvonly', 'sendrecv']);
      // Held for 3 s: we must not have sent during it (50 packets/s otherwise).
      expect(r.media!.heldSec).toBeGreaterThan(2);
      expect(r.media!.heldSec).toBeLessThan(4.5);
      expect(r.rtp!.sent).toBeLessThan((8 - 2) * 50);
    }),
  );

  it(
    'offerless re-INVITE: our 200 carries an offer, the answer in the ACK is used',
    withLogs(async () => {
      const { sipp, uri } = await uas('uas-reinvite-offerless.xml');
      const { result: r } = await runCall(f.lab, uri, ['--duration', '5']);
      expect(await sipp.waitExit(20_000)).toBe(0);
      expectEchoBothWays(r);
      // The answer in the ACK switched us to PCMA on the same port.
      expect(r.media!.changes).toEqual([expect.objectContaining({ by: 'ack', codec: 'pcma' })]);
      expect(r.media!.codec).toBe('pcma');
    }),
  );

  it(
    'session timer refreshes (RFC 4028 re-INVITE and body-less UPDATE) are answered and media keeps flowing',
    withLogs(async () => {
      const { sipp, uri, media } = await uas('uas-session-timer.xml');
      const { result: r } = await runCall(f.lab, uri, ['--duration', '5']);
      expect(await sipp.waitExit(20_000)).toBe(0);
      expectEchoBothWays(r);
      // A refresh that repeats the offer changes nothing.
      expect(r.media!.remoteSdpRtp).toBe(media);
    }),
  );

  it(
    '183 with SDP then 200 without SDP: the early SDP is the answer',
    withLogs(async () => {
      const { sipp, uri, media } = await uas('uas-early-sdp.xml');
      const { result: r } = await runCall(f.lab, uri, ['--duration', '3']);
      expect(await sipp.waitExit(20_000)).toBe(0);
      expectEchoBothWays(r);
      expect(r.media!.remoteSdpRtp).toBe(media);
    }),
  );

  it(
    'compact header forms (v, f, t, i, m, c, l) are understood',
    withLogs(async () => {
      const { sipp, uri } = await uas('uas-compact.xml');
      const { result: r } = await runCall(f.lab, uri, ['--duration', '3']);
      expect(await sipp.waitExit(20_000)).toBe(0);
      expectEchoBothWays(r);
    }),
  );

  it(
    '488 with a Warning: the Warning text is shown, and that NatScope offers PCMU/PCMA only',
    withLogs(async () => {
      const { uri } = await uas('uas-488-warning.xml');
      const { result: r, code } = await runCall(f.lab, uri, ['--duration', '3']);
      expect(code).toBe(1);
      expect(r.endReason).toBe('rejected');
      expect(r.sipStatus).toBe(488);
      // sipReason is the reason phrase only, as for a 200 ("OK")
      expect(r.sipReason).toBe('Not Acceptable Here');
      const rejected = finding(r, 'call-rejected');
      expect(rejected?.message).toContain('Incompatible media format: this PBX only accepts G.729');
      expect(rejected?.message).toMatch(/PCMU.*PCMA|PCMA.*PCMU/);
    }),
  );

  it(
    'a BYE nobody answers is a finding, and the command still ends within duration + 40 s',
    withLogs(async () => {
      const { uri } = await uas('uas-bye-ignored.xml');
      const { result: r, wallMs } = await runCall(f.lab, uri, ['--duration', '3']);
      expect(r.answered).toBe(true);
      expect(finding(r, 'bye-failed')?.severity).toBe('warning');
      console.log(`[dialog] BYE unanswered: natscope call --duration 3 exited after ${wallMs} ms`);
      expect(wallMs).toBeLessThan((3 + 40) * 1000);
    }),
  );
});

describeLab('lab echo call: RTP from another address of the same host (no NAT in between)', () => {
  const f = labFixture('masquerade', { coturn: false, stund: false });
  it(
    'is explained as a multi-homed far end, not blamed on a NAT',
    f.withLogs(async () => {
      const lab = f.lab;
      // SDP says the server's second address; the echo socket (bound to 0.0.0.0) answers from the
      // primary one. The caller is on the internet side (server2), so nothing filters the echo.
      await lab.startUdpTool('server', 'echo-any', ['echo', '--bind', '0.0.0.0:7100'], 7100);
      await lab.startSipp('server', {
        scenario: 'uas-media-other-address.xml',
        port: 5200,
        name: 'sipp-other-address',
        args: ['-m', '1', '-set', 'sdpip', lab.addr.serverSecondary, '-set', 'sdpport', '7100'],
      });
      const { result: r } = await runCall(
        lab,
        `sip:echo@${lab.addr.serverPrimary}:5200`,
        ['--duration', '3'],
        {
          host: 'server2',
        },
      );
      expect(r.answered).toBe(true);
      expect(r.media!.remoteActualRtp).toEqual([
        { endpoint: `${lab.addr.serverPrimary}:7100`, packets: expect.any(Number) },
      ]);
      const codes = r.findings.map((x) => x.code);
      expect(codes).not.toContain('rtp-source-mismatch');
      expect(finding(r, 'rtp-other-address')?.message).toMatch(/another address of the far end|multi-homed/);
      expect(finding(r, 'rtp-other-address')?.message).not.toMatch(/NAT (or media relay )?in front/);
    }),
  );
});
