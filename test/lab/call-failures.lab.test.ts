// Issue #12, defects 4 and 5: servers that never answer, are unreachable, ring forever, or fail
// TLS must give the right verdict fast, and `natscope call` must always end. Black hole and ICMP
// errors are made with nftables in the server's namespace (the kernel answers a port nobody
// listens on with ICMP port unreachable by itself); the ringing far end is SIPp; TLS is Kamailio
// with the lab's own CA, a TCP listener that never speaks, and Kamailio's plain TCP port.
import { expect, it } from 'vitest';

import { finding, runCall, runCallError } from './call-run.ts';
import { describeLab } from './describe-lab.ts';
import { labFixture } from './lab-fixture.ts';
import { startLabPbx, type LabPbx } from './peers/pbx.ts';

const BLACK_HOLE = 5090;
const NO_LISTENER = 5091;
/** A TEST-NET address the home router has an "unreachable" route for: it answers ICMP host unreachable. */
const UNREACHABLE_HOST = '203.0.113.99';
const RINGING = 5093;
const SILENT_TCP = 5063;

describeLab('lab echo call: failures diagnosed fast and right', () => {
  let pbx: LabPbx;
  const f = labFixture('masquerade', { coturn: false, stund: false }, async (lab) => {
    await lab.nft(
      'server',
      `table inet natscope_faults {\n  chain input {\n    type filter hook input priority -10;\n    udp dport ${BLACK_HOLE} drop\n  }\n}\n`,
    );
    await lab.exec('router', ['ip', 'route', 'add', 'unreachable', `${UNREACHABLE_HOST}/32`]);
    pbx = await startLabPbx(lab, {
      tls: true,
      delayedEcho: false,
      // a second TLS socket on the server's other address: its certificate does not name it
      extend: (cfg) => cfg.listen('tls', lab.addr.serverSecondary, 5061),
    });
    // A TCP server that accepts and then says nothing (a TLS handshake that never completes).
    lab.spawn('server2', 'silent-tcp', [
      process.execPath,
      '-e',
      `require('node:net').createServer(() => {}).listen(${SILENT_TCP}, '${lab.addr.server2}')`,
    ]);
  });
  const withLogs = f.withLogs;

  it(
    'black hole → no-sip-response at Timer B; nothing listening → ICMP port unreachable at once; ICMP host unreachable at once',
    withLogs(async () => {
      const lab = f.lab;
      const target = (port: number) => `sip:echo@${lab.addr.serverPrimary}:${port}`;
      const [hole, port, host] = await Promise.all([
        runCall(lab, target(BLACK_HOLE), ['--duration', '3']),
        runCall(lab, target(NO_LISTENER), ['--duration', '3']),
        runCall(lab, `sip:echo@${UNREACHABLE_HOST}`, ['--duration', '3']),
      ]);
      console.log(
        `[failures] black hole: ${hole.states.get('failed')} s (wall ${hole.wallMs} ms); ICMP port unreachable: ${port.states.get('failed')} s (wall ${port.wallMs} ms); ICMP host unreachable: ${host.states.get('failed')} s (wall ${host.wallMs} ms)`,
      );
      // Black hole: INVITE retransmitted (Timer A) until Timer B (64·T1 = 32 s).
      expect(hole.result.endReason).toBe('no-response');
      const nsr = finding(hole.result, 'no-sip-response');
      expect(nsr?.message).toMatch(/Timer B/);
      expect(nsr?.message).toMatch(/blocked|firewall/);
      expect(nsr?.message).toMatch(/address/);
      expect(nsr?.message).toMatch(/ALG/);
      expect(hole.states.get('failed')).toBeGreaterThanOrEqual(31);
      expect(hole.wallMs).toBeLessThan((3 + 40) * 1000);
      expect(hole.result.messages.filter((m) => m.method === 'INVITE').length).toBeGreaterThanOrEqual(6);
      // ICMP port unreachable: the kernel's answer reaches us through the NAT (conntrack RELATED).
      expect(port.result.endReason).toBe('unreachable');
      expect(finding(port.result, 'sip-unreachable')?.message).toContain(
        `nothing listens on udp/${NO_LISTENER} at ${lab.addr.serverPrimary}`,
      );
      expect(port.states.get('failed')).toBeLessThan(2);
      expect(host.result.endReason).toBe('unreachable');
      expect(finding(host.result, 'sip-unreachable')?.message).toMatch(/host unreachable/i);
      expect(host.states.get('failed')).toBeLessThan(2);
    }),
  );

  it(
    'a URI that says ;transport=tcp is called over TCP (the kernel refuses the connection), not over UDP',
    withLogs(async () => {
      const lab = f.lab;
      const r = await runCallError(lab, `sip:echo@${lab.addr.serverPrimary}:${NO_LISTENER};transport=tcp`, [
        '--duration',
        '3',
      ]);
      expect(r.code).toBe(1);
      expect(r.error?.code).toBe('unreachable');
      expect(r.error?.message).toContain(`SIP TCP to ${lab.addr.serverPrimary}:${NO_LISTENER}`);
      expect(r.wallMs).toBeLessThan(10_000);
    }),
  );

  it(
    'rings forever → CANCEL really sent (the far end gets it and answers 487), "nobody answered"',
    withLogs(async () => {
      const lab = f.lab;
      const sipp = await lab.startSipp('server', {
        scenario: 'uas-ring-forever.xml',
        port: RINGING,
        name: 'sipp-ringing',
        args: ['-m', '1'],
      });
      const r = await runCall(lab, `sip:echo@${lab.addr.serverPrimary}:${RINGING}`, [
        '--duration',
        '3',
        '--answer-timeout',
        '4',
      ]);
      // SIPp's scenario only completes when the CANCEL arrives (then 200, 487, ACK).
      expect(await sipp.waitExit(10_000)).toBe(0);
      expect(r.result.endReason).toBe('no-answer');
      expect(finding(r.result, 'no-answer')?.message).toMatch(/nobody answered/i);
      const summaries = r.result.messages.map((m) => `${m.direction} ${m.summary}`);
      expect(summaries).toEqual(
        expect.arrayContaining(['sent CANCEL sip:echo@203.0.113.10:5093', 'received 487 Request Terminated']),
      );
      expect(r.states.get('failed') ?? r.states.get('ended')).toBeLessThan(4 + 3);
    }),
  );

  it(
    'TLS: unknown CA and a name the certificate does not carry → tls-certificate naming --ca FILE, at once',
    withLogs(async () => {
      const lab = f.lab;
      const target = 'sip:9196@lab.test';
      const tls = ['--transport', 'tls', '--duration', '3'];
      const [unknownCa, wrongName] = await Promise.all([
        runCallError(lab, target, [...tls, '--proxy', pbx.tlsProxy!]),
        runCallError(lab, target, [
          ...tls,
          '--proxy',
          `${lab.addr.serverSecondary}:5061`,
          '--ca',
          pbx.ca!.caCert,
        ]),
      ]);
      console.log(`[failures] TLS unknown CA: ${unknownCa.wallMs} ms, name mismatch: ${wrongName.wallMs} ms`);
      for (const r of [unknownCa, wrongName]) {
        expect(r.timedOut).toBe(false);
        expect(r.code).toBe(1);
        expect(r.error?.code).toBe('tls-certificate');
        expect(r.error?.message).toContain('--ca FILE');
        expect(r.error?.message).not.toContain('--use-system-ca');
        expect(r.wallMs).toBeLessThan(10_000);
      }
      expect(wrongName.error?.message).toContain(lab.addr.serverSecondary);
    }),
  );

  it(
    'TLS: a server that never completes the handshake, and plain TCP on the port → tls-handshake, at once',
    withLogs(async () => {
      const lab = f.lab;
      const target = 'sip:9196@lab.test';
      const tls = ['--transport', 'tls', '--duration', '3', '--ca', pbx.ca!.caCert];
      const [silent, plain] = await Promise.all([
        runCallError(lab, target, [...tls, '--proxy', `${lab.addr.server2}:${SILENT_TCP}`]),
        runCallError(lab, target, [...tls, '--proxy', pbx.proxy]),
      ]);
      console.log(`[failures] TLS silent server: ${silent.wallMs} ms, plain TCP: ${plain.wallMs} ms`);
      for (const r of [silent, plain]) {
        expect(r.timedOut).toBe(false);
        expect(r.code).toBe(1);
        expect(r.error?.code).toBe('tls-handshake');
        expect(r.wallMs).toBeLessThan(12_000);
      }
    }),
  );

  it(
    'TLS with the lab CA (--ca FILE) works end to end through Kamailio',
    withLogs(async () => {
      const lab = f.lab;
      const r = await runCall(lab, pbx.echoUri, [
        '--transport',
        'tls',
        '--proxy',
        pbx.tlsProxy!,
        '--ca',
        pbx.ca!.caCert,
        '--registrar',
        pbx.tlsProxy!,
        '--domain',
        'lab.test',
        '--user',
        'alice',
        '--password',
        'secret',
        '--duration',
        '3',
      ]);
      expect(r.result.transport).toBe('tls');
      expect(r.result.registration?.ok).toBe(true);
      expect(r.result.answered).toBe(true);
      expect(r.result.rtp!.received).toBeGreaterThan(r.result.rtp!.sent * 0.9);
    }),
  );
});
