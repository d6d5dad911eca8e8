// Smoke test: SIPp completes a call through the NAT with RTP both ways (UAS -rtp_echo), the
// SIPp digest registrar accepts the right password and refuses a wrong one, and the kernel SIP
// ALG on the home router rewrites the private address (seen in a capture on the server).
import { afterAll, beforeAll, expect, it } from 'vitest';

import { describeLab } from './describe-lab.ts';
import { attachLogs, startLab, withLab } from './lab.ts';
import type { Lab } from './lab.ts';

/** Count packets in a capture whose header line matches "SRC > DST". */
function countFlow(packets: string[], src: RegExp, dst: RegExp): number {
  return packets.filter((p) => {
    const m = / (\S+) > (\S+):/.exec(p.split('\n')[0] ?? '');
    return m !== null && src.test(m[1] ?? '') && dst.test(m[2] ?? '');
  }).length;
}

/** Via/Contact/From/o=/c= lines of a captured SIP text (the ones an ALG rewrites; Call-ID is not). */
function addressLines(text: string): string {
  return text
    .split('\n')
    .filter((l) => /^(Via|Contact|From):|^[oc]=/.test(l.replace(/^\.+/, '')))
    .join('\n');
}

/** The INVITE's text as captured (payload lines of packets containing "INVITE sip:"). */
function inviteText(packets: string[]): string {
  return packets.filter((p) => p.includes('INVITE sip:')).join('\n');
}

describeLab('lab SIP (SIPp, masquerade)', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab('masquerade', { coturn: false, stund: false });
    await lab.startSippEcho();
    await lab.startSippRegistrar('alice', 'secret');
  });
  afterAll(async () => {
    await lab?.destroy();
  });
  const withLogs = (fn: () => Promise<void>) => async (): Promise<void> => {
    try {
      await fn();
    } catch (err) {
      throw attachLogs(
        new Error(`${err instanceof Error ? err.message : String(err)}\n${lab.sippTraces()}`),
        lab,
      );
    }
  };

  const call = async (localPort: number, mediaPort: number, durationMs: number) =>
    lab.runSipp('client', {
      scenario: 'uac-rtp.xml',
      port: localPort,
      remote: `${lab.addr.serverPrimary}:${lab.ports.sip}`,
      name: `sipp-uac-${localPort}`,
      args: [
        '-s',
        'echo',
        '-m',
        '1',
        '-mi',
        lab.addr.client,
        '-mp',
        String(mediaPort),
        '-d',
        String(durationMs),
        '-timeout',
        '20s',
        '-timeout_error',
      ],
      timeoutMs: 30_000,
    });

  it(
    'completes a call with RTP both ways through the NAT',
    withLogs(async () => {
      const cap = await lab.capture('client', 'udp');
      const r = await call(5081, 7010, 7600);
      const { packets } = await cap.stop();
      expect(r.code, r.log).toBe(0);
      const out = countFlow(packets, /^192\.168\.1\.10\.7010$/, /^203\.0\.113\.10\.6000$/);
      const back = countFlow(packets, /^203\.0\.113\.10\.6000$/, /^192\.168\.1\.10\.7010$/);
      // g711a.pcap holds 236 RTP packets
      expect(out).toBeGreaterThan(200);
      expect(back).toBeGreaterThan(200);
      lab.assertPeersAlive(['sipp-uas']);
    }),
  );

  it(
    'registers with digest authentication, and a wrong password is refused',
    withLogs(async () => {
      const reg = (port: number, pass: string) =>
        lab.runSipp('client', {
          scenario: 'register-uac.xml',
          port,
          remote: `${lab.addr.serverPrimary}:${lab.ports.registrar}`,
          name: `sipp-uac-reg-${port}`,
          args: ['-au', 'alice', '-ap', pass, '-m', '1', '-timeout', '10s', '-timeout_error'],
          timeoutMs: 20_000,
        });
      const ok = await reg(5082, 'secret');
      expect(ok.code, ok.log).toBe(0);
      const bad = await reg(5083, 'wrong');
      expect(bad.code, bad.log).toBe(1);
      expect(lab.sippTraces()).toMatch(/SIP\/2\.0 403 Forbidden/);
    }),
  );

  it(
    'SIP ALG off: the server sees the private address in Via, Contact and SDP',
    withLogs(async () => {
      await lab.setAlg(false);
      const cap = await lab.capture('server', `udp port ${lab.ports.sip}`);
      const r = await call(5084, 7020, 300);
      const invite = inviteText((await cap.stop()).packets);
      expect(r.code, r.log).toBe(0);
      expect(invite).toMatch(/Via: SIP\/2\.0\/UDP 192\.168\.1\.10:5084/);
      expect(invite).toMatch(/Contact: <sip:natscope@192\.168\.1\.10:5084>/);
      expect(invite).toMatch(/c=IN IP4 192\.168\.1\.10/);
      // ...although the packet itself comes from the router's public address
      expect(invite).toMatch(/203\.0\.113\.2\.5084 > 203\.0\.113\.10\.5060/);
    }),
  );

  it(
    'SIP ALG on: the server sees the private address rewritten to the public one',
    withLogs(async () => {
      await lab.setAlg(true);
      const cap = await lab.capture('server', `udp port ${lab.ports.sip}`);
      const r = await call(5085, 7030, 300);
      const invite = inviteText((await cap.stop()).packets);
      await lab.setAlg(false);
      expect(r.code, r.log).toBe(0);
      expect(invite).toMatch(/Via: SIP\/2\.0\/UDP 203\.0\.113\.2:5085/);
      expect(invite).toMatch(/Contact: <sip:natscope@203\.0\.113\.2:5085>/);
      expect(invite).toMatch(/c=IN IP4 203\.0\.113\.2/);
      expect(addressLines(invite)).not.toMatch(/192\.168\.1\.10/);
    }),
  );
});

describeLab('lab SIP ALG behind a CGN (double-nat)', () => {
  it('writes the CGN-side address 100.64.0.2 into the SIP message (the classic fault)', async () => {
    await withLab('double-nat', { alg: true, coturn: false, stund: false }, async (lab) => {
      expect(lab.expected.algRewritesTo).toBe('router-wan');
      await lab.startSipp('server', {
        scenario: 'uas-echo.xml',
        port: lab.ports.sip,
        name: 'sipp-uas',
        args: ['-rtp_echo'],
      });
      const cap = await lab.capture('server', `udp port ${lab.ports.sip}`);
      const r = await lab.runSipp('client', {
        scenario: 'uac-rtp.xml',
        port: 5086,
        remote: `${lab.addr.serverPrimary}:${lab.ports.sip}`,
        args: ['-s', 'echo', '-m', '1', '-mp', '7040', '-d', '300', '-timeout', '20s', '-timeout_error'],
      });
      const invite = inviteText((await cap.stop()).packets);
      expect(r.code, r.log).toBe(0);
      expect(invite).toMatch(/Contact: <sip:natscope@100\.64\.0\.2:5086>/);
      expect(invite).toMatch(/c=IN IP4 100\.64\.0\.2/);
      expect(addressLines(invite)).not.toMatch(/192\.168\.1\.10/);
      // the packet itself comes from the CGN's public address
      expect(invite).toMatch(/203\.0\.113\.3\.\d+ > 203\.0\.113\.10\.5060/);
    });
  });
});
