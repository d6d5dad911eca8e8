// Issue #14 with the kernel's SIP ALG on (nf_conntrack_sip on UDP 5060) and a 30 s UDP timeout: the
// SIP helper keeps SIP flows to port 5060 open for its own sip_timeout (an hour), so a call still
// arrives after 45 s although a plain UDP binding (coturn's STUN) is gone by then. The right result
// is both: calls arrive here, and the router treats SIP differently from other UDP — said as a
// disagreement, with conntrack's own table as the oracle.
import { expect, it } from 'vitest';

import { describeLab } from './describe-lab.ts';
import {
  conntrackEntries,
  describeRun,
  natscopeIncoming,
  setConntrackTimeouts,
  startCallbackServer,
} from './incoming-lab.ts';
import { withLab } from './lab.ts';

describeLab('natscope incoming with the kernel SIP ALG on (UDP timeout 30 s)', () => {
  it('calls arrive after 45 s through the SIP helper; the STUN binding disagrees, and that is reported', async () => {
    await withLab('masquerade', { alg: true, stund: false }, async (lab) => {
      await setConntrackTimeouts(lab, { udp: 30, udpStream: 30 });
      await startCallbackServer(lab);
      const server = lab.addr.serverPrimary;
      const r = await natscopeIncoming(
        lab,
        ['--server', server, '--idle', '15,45', '--stun', `${server}:${lab.ports.coturn}`],
        100_000,
      );
      console.log(`[incoming lab] UDP + SIP ALG, timeout 30 s: ${describeRun(r)}`);
      // the oracle: the router's own table holds the SIP flows with the sip helper, far beyond 30 s
      const flows = await conntrackEntries(lab, 'udp', 5060);
      const helped = flows.filter((l) => /helper=sip/.test(l) && Number(l.split(/\s+/)[2]) > 600);
      expect(helped.length, flows.join('\n')).toBeGreaterThanOrEqual(2);

      expect(r.tests.map((t) => [t.idleSeconds, t.received])).toEqual([
        [15, true],
        [45, true],
      ]);
      expect(r.longestWorkingIdleSeconds).toBe(45);
      expect(r.firstFailingIdleSeconds).toBeNull();
      expect(r.keepAliveFixes).toBeNull();
      // a plain UDP binding (coturn, port 3478: no helper) is gone before 45 s
      expect(r.stun?.randomPort?.deadAfterSeconds).toBe(45);
      expect(r.stun?.agreement).toBe('disagree');
      expect(r.findings.map((f) => f.id).sort()).toEqual(['incoming-calls-ok', 'sip-lifetime-differs']);
      expect(r.findings.find((f) => f.id === 'sip-lifetime-differs')!.advice.join(' ')).toMatch(/SIP ALG/);
    });
  }, 150_000);
});
