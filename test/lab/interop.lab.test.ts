// Issue #12 interop suite: NatScope against peers nobody here wrote. Kamailio as the PBX
// (registrar with digest 401 on REGISTER, 407 on INVITE, MD5 and SHA-256, Record-Route), rtpengine
// relaying the media, baresip phones answering with an echo — over UDP and TCP, through the lab's
// masquerade NAT like a user behind a home router. (TLS with the lab CA: call-failures.lab.test.ts.)
import { expect, it } from 'vitest';

import type { CallResult } from '../../shared/contracts/call.ts';
import { finding, runCall } from './call-run.ts';
import { describeLab } from './describe-lab.ts';
import { labFixture } from './lab-fixture.ts';
import { PBX_DOMAIN, pbxCallArgs, startLabPbx, type LabPbx } from './peers/pbx.ts';

function expectEchoThroughRtpengine(r: CallResult, pbx: LabPbx): void {
  expect(r.answered).toBe(true);
  expect(r.endReason).toBe('completed');
  expect(r.sipStatus).toBe(200);
  expect(r.sipReason).toBe('Answering'); // baresip's reason phrase, as sent
  expect(r.oneWayAudio).toBe(false);
  expect(r.rtp!.received).toBeGreaterThan(r.rtp!.sent * 0.9);
  expect(r.rtp!.mos).toBeGreaterThanOrEqual(4.2);
  // rtpengine rewrote the SDP: media goes to and comes from its relay ports, not baresip.
  const [addr, port] = r.media!.remoteSdpRtp.split(':');
  expect(addr).toBe(pbx.address);
  expect(Number(port)).toBeGreaterThanOrEqual(pbx.rtpengine.portMin);
  expect(Number(port)).toBeLessThanOrEqual(pbx.rtpengine.portMax);
  expect(r.media!.sourceMismatch).toBe(false);
}

describeLab('lab interop: Kamailio + rtpengine + baresip', () => {
  let md5: LabPbx;
  let sha: LabPbx;
  const f = labFixture('masquerade', { coturn: false, stund: false }, async (lab) => {
    [md5, sha] = await Promise.all([
      startLabPbx(lab, { delayedEcho: false }),
      startLabPbx(lab, { delayedEcho: false, port: 5070, algorithm: 'SHA-256', name: 'pbx-sha256' }),
    ]);
  });
  const withLogs = f.withLogs;

  it(
    'UDP, digest MD5: 401 on REGISTER, 407 on INVITE, Record-Route honoured, audio both ways via rtpengine',
    withLogs(async () => {
      const lab = f.lab;
      const t0 = Date.now();
      const { result: r, wallMs } = await runCall(lab, md5.echoUri, [...pbxCallArgs(md5), '--duration', '4']);
      expect(r.registration).toMatchObject({
        ok: true,
        status: 200,
        authAlgorithm: 'MD5',
        unregistered: true,
      });
      expectEchoThroughRtpengine(r, md5);
      const got = r.messages.map((m) => `${m.direction} ${m.summary.split(' ').slice(0, 2).join(' ')}`);
      expect(got).toEqual(expect.arrayContaining(['received 401 Unauthorized', 'received 407 Proxy']));
      const invites = r.messages.filter((m) => m.direction === 'sent' && m.method === 'INVITE');
      expect(invites.at(-1)!.raw).toContain('Proxy-Authorization: [redacted]');
      // Record-Route (RFC 3261 §12.1.2): the ACK and BYE are sent to Kamailio, addressed to
      // baresip's Contact, with the route set Kamailio recorded (its ;ftag= marks it as such).
      for (const method of ['ACK', 'BYE']) {
        const m = r.messages.filter((x) => x.direction === 'sent' && x.method === method).at(-1)!;
        expect(m.remote).toBe(md5.proxy);
        expect(m.summary).toContain(`@${lab.addr.server2}:`);
        expect(m.raw).toMatch(/^Route: <sip:[^>]*;lr;ftag=/m);
      }
      // A registered call ends promptly: un-REGISTER answered at once, nothing left waiting.
      console.log(`[interop] registered UDP call --duration 4: ${wallMs} ms (${Date.now() - t0} ms)`);
      expect(wallMs).toBeLessThan((4 + 1 + 3.5) * 1000);
    }),
  );

  it(
    'UDP, digest SHA-256 (RFC 8760) with a second Kamailio',
    withLogs(async () => {
      const lab = f.lab;
      const { result: r } = await runCall(lab, sha.echoUri, [...pbxCallArgs(sha), '--duration', '3']);
      expect(r.registration).toMatchObject({ ok: true, authAlgorithm: 'SHA-256' });
      expectEchoThroughRtpengine(r, sha);
    }),
  );

  it(
    'TCP: registration and call over one connection, Record-Route honoured',
    withLogs(async () => {
      const lab = f.lab;
      const { result: r } = await runCall(lab, md5.echoUri, [...pbxCallArgs(md5, 'tcp'), '--duration', '3']);
      expect(r.transport).toBe('tcp');
      expect(r.registration?.ok).toBe(true);
      expectEchoThroughRtpengine(r, md5);
    }),
  );

  it(
    'wrong password: auth-failed, sipReason is the reason phrase only',
    withLogs(async () => {
      const lab = f.lab;
      const args = pbxCallArgs(md5);
      args[args.indexOf('--password') + 1] = 'wrong-pass';
      const { result: r, code, stdout, stderr } = await runCall(lab, md5.echoUri, [...args, '--no-register']);
      expect(code).toBe(1);
      expect(r.endReason).toBe('auth-failed');
      expect(r.sipStatus).toBe(407);
      expect(r.sipReason).toBe('Proxy Authentication Required');
      expect(finding(r, 'auth-failed')?.message).toMatch(/credentials/);
      expect(`${stdout}${stderr}`).not.toContain('wrong-pass');
    }),
  );

  it(
    'an unknown user at the PBX: 404 from Kamailio, call-rejected',
    withLogs(async () => {
      const lab = f.lab;
      const { result: r } = await runCall(lab, `sip:nobody@${PBX_DOMAIN}`, [
        ...pbxCallArgs(md5),
        '--no-register',
      ]);
      expect(r.endReason).toBe('rejected');
      expect(r.sipStatus).toBe(404);
      expect(r.sipReason).toBe('Not Found');
      expect(finding(r, 'call-rejected')).toBeDefined();
    }),
  );
});
