// Issue #14 acceptance over TCP: the home router forgets idle TCP connections after 30 s
// (nf_conntrack_tcp_timeout_established). A call over the registration's own connection arrives
// after 15 and 25 s of silence, not after 45 or 60 s; RFC 5626 CRLF pings every 20 s (answered by
// the server's pongs) keep the connection, and the 60 s call arrives.
import { expect, it } from 'vitest';

import { describeLab } from './describe-lab.ts';
import { describeRun, natscopeIncoming, setConntrackTimeouts, startCallbackServer } from './incoming-lab.ts';
import { withLab } from './lab.ts';

describeLab('natscope incoming over TCP (router established-connection timeout 30 s)', () => {
  it('15 s arrives, 60 s does not, keep-alives (CRLF ping/pong) make 60 s arrive', async () => {
    await withLab('masquerade', { stund: false }, async (lab) => {
      await setConntrackTimeouts(lab, { tcpEstablished: 30 });
      await startCallbackServer(lab);
      const server = lab.addr.serverPrimary;
      const r = await natscopeIncoming(
        lab,
        ['--server', server, '--transport', 'tcp', '--idle', '15,25,45,60'],
        100_000,
      );
      console.log(`[incoming lab] TCP, timeout 30 s: ${describeRun(r)}`);
      expect(r.transport).toBe('tcp');
      expect(r.tests.map((t) => [t.idleSeconds, t.received])).toEqual([
        [15, true],
        [25, true],
        [45, false],
        [60, false],
      ]);
      expect(r.longestWorkingIdleSeconds).toBe(25);
      expect(r.firstFailingIdleSeconds).toBe(45);
      for (const t of r.tests.filter((x) => x.received)) expect(t.from).toBe(`${server}:5060`);
      expect(r.keepAlive).toMatchObject({
        method: 'crlf',
        intervalSeconds: 20,
        idleSeconds: 60,
        received: true,
      });
      // RFC 5626 §4.4.1 over a connection: every ping got its pong
      expect(r.keepAlive!.sent).toBeGreaterThanOrEqual(2);
      expect(r.keepAlive!.pongs).toBeGreaterThanOrEqual(2);
      expect(r.keepAlive!.pongsMissed).toBe(0);
      expect(r.keepAliveFixes).toBe(true);
      expect(r.stun).toBeNull();
      expect(r.durationMs).toBeLessThanOrEqual(70_000);
    });
  }, 150_000);
});
