// Issue #14, "against the user's own PBX" (manual mode), with a real PBX: Kamailio as registrar and
// proxy (NAT handling on: fix_nated_register), a SIPp caller dialling the registered user when
// `natscope incoming` asks for the call. Over UDP right after registering, the call arrives (and
// SIPp, the real peer, sees the 180 and the 486 coming back from the phone); over TLS the same, on
// the registration's own connection; after 40 s of silence behind a router that forgets idle UDP
// flows after 30 s, it does not — and the caller gets an error instead of 486.
import { expect, it } from 'vitest';

import { describeLab } from './describe-lab.ts';
import { setConntrackTimeouts, spawnIncoming } from './incoming-lab.ts';
import { withLab, type Lab } from './lab.ts';
import { PBX_DOMAIN, PBX_USER, startLabPbx, type LabPbx } from './peers/pbx.ts';

async function callAlice(lab: Lab, pbx: LabPbx, port: number) {
  return lab.runSipp('server2', {
    scenario: 'uac-call-user.xml',
    port,
    remote: pbx.proxy,
    name: `sipp-caller-${port}`,
    args: ['-s', PBX_USER.user, '-m', '1', '-timeout', '15s', '-timeout_error'],
    timeoutMs: 25_000,
  });
}

function incomingArgs(pbx: LabPbx, transport: 'udp' | 'tls', idle: number): string[] {
  return [
    '--server',
    transport === 'tls' ? pbx.tlsProxy! : pbx.proxy,
    '--transport',
    transport,
    '--user',
    PBX_USER.user,
    '--password',
    PBX_USER.password,
    '--domain',
    PBX_DOMAIN,
    '--idle',
    String(idle),
    '--wait',
    '20',
    ...(transport === 'tls' ? ['--ca', pbx.ca!.caCert] : []),
  ];
}

describeLab('natscope incoming against a real PBX (Kamailio + a SIPp caller)', () => {
  it('the call arrives right after registering (UDP, TLS), not after 40 s of silence behind a 30 s NAT', async () => {
    await withLab('masquerade', { stund: false, coturn: false }, async (lab) => {
      await setConntrackTimeouts(lab, { udp: 30, udpStream: 30 });
      const pbx = await startLabPbx(lab, { tls: true, delayedEcho: false });
      const runs: [string, 'udp' | 'tls', number, boolean][] = [
        ['UDP, idle 0', 'udp', 0, true],
        ['TLS, idle 0', 'tls', 0, true],
        ['UDP, idle 40', 'udp', 40, false],
      ];
      let port = 5090;
      for (const [label, transport, idle, arrives] of runs) {
        const run = spawnIncoming(lab, incomingArgs(pbx, transport, idle), `incoming-${transport}-${idle}`);
        await run.waitForPrompt((idle + 15) * 1000);
        const caller = await callAlice(lab, pbx, port++);
        const r = await run.result(30_000);
        const [t] = r.tests;
        console.log(
          `[incoming lab] PBX ${label}: ${t?.outcome} from ${t?.from ?? '—'} on ${t?.localSocket}; SIPp caller exit ${caller.code}`,
        );
        expect(r.mode).toBe('pbx');
        expect(r.transport).toBe(transport);
        expect(t?.idleSeconds).toBe(idle);
        expect(t?.received, `${run.peer.log()}\n${caller.log}`).toBe(arrives);
        // the real peer's view: the phone's 486 reached the caller only when the INVITE arrived
        expect(caller.code === 0, caller.log).toBe(arrives);
        if (arrives) {
          expect(t?.from).toBe(transport === 'tls' ? pbx.tlsProxy : pbx.proxy);
          expect(r.findings.map((f) => f.id)).toEqual(['incoming-calls-ok']);
        } else expect(r.findings.map((f) => f.id)).toEqual(['no-incoming-calls']);
        // the registration is removed afterwards, so the next run's call forks to nobody else
        expect(r.messages.some((m) => m.method === 'REGISTER' && /Expires: 0/i.test(m.raw))).toBe(true);
      }
    });
  }, 150_000);
});
