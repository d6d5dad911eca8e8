// Issue #14 acceptance over UDP: the home router forgets idle UDP flows after 30 s
// (nf_conntrack_udp_timeout and _stream). `natscope incoming` must find that a call still arrives
// after 15 and 25 s of silence but not after 45 or 60 s — the limit bracketed within one probe step —
// and that CRLF keep-alives every 20 s (80 % of 25 s) make the 60 s call arrive. coturn (the real
// RFC 5780 peer) measures the plain UDP binding beside it, and must agree.
import { expect, it } from 'vitest';

import { describeLab } from './describe-lab.ts';
import { describeRun, natscopeIncoming, setConntrackTimeouts, startCallbackServer } from './incoming-lab.ts';
import { withLab } from './lab.ts';

describeLab('natscope incoming over UDP (router UDP timeout 30 s)', () => {
  it('15 s arrives, 60 s does not, the limit is found within one probe step, keep-alives fix it', async () => {
    await withLab('masquerade', { stund: false }, async (lab) => {
      await setConntrackTimeouts(lab, { udp: 30, udpStream: 30 });
      await startCallbackServer(lab);
      const server = lab.addr.serverPrimary;
      // the keep-alives as the router forwards them to the internet
      // (4-byte payloads: UDP length 12)
      const cap = await lab.capture(
        'router',
        `udp and src host ${lab.addr.routerWan} and dst port 5060 and udp[4:2] = 12`,
      );
      const t0 = performance.now();
      const r = await natscopeIncoming(
        lab,
        ['--server', server, '--idle', '15,25,45,60', '--stun', `${server}:${lab.ports.coturn}`],
        100_000,
      );
      const wallMs = performance.now() - t0;
      const { packets } = await cap.stop();
      console.log(
        `[incoming lab] UDP, timeout 30 s: ${describeRun(r)}; wall ${(wallMs / 1000).toFixed(1)} s`,
      );

      expect(r.tests.map((t) => [t.idleSeconds, t.received])).toEqual([
        [15, true],
        [25, true],
        [45, false],
        [60, false],
      ]);
      // within one probe step of the router's 30 s
      expect(r.longestWorkingIdleSeconds).toBe(25);
      expect(r.firstFailingIdleSeconds).toBe(45);
      for (const t of r.tests.filter((x) => x.received)) {
        expect(t.from).toBe(`${server}:5060`);
        expect(t.mappedAddress).toMatch(new RegExp(`^${lab.addr.routerWan.replace(/\./g, '\\.')}:\\d+$`));
        expect(t.localSocket).toMatch(/^192\.168\.1\.10:\d+$/);
        expect(t.arrivedAfterMs!).toBeGreaterThan(t.idleSeconds * 1000 - 1500);
        expect(t.arrivedAfterMs!).toBeLessThan(t.idleSeconds * 1000 + 5000);
      }
      // every registration on its own socket
      expect(new Set(r.tests.map((t) => t.localSocket)).size).toBe(4);

      expect(r.recommendedKeepAliveSeconds).toBe(20);
      expect(r.keepAlive).toMatchObject({
        method: 'crlf',
        intervalSeconds: 20,
        idleSeconds: 60,
        received: true,
      });
      expect(r.keepAliveFixes).toBe(true);
      // the chosen run's pings on the wire: CRLFCRLF datagrams, several from one source port
      const perPort = new Map<string, number>();
      for (const p of packets) {
        const port = / 203\.0\.113\.2\.(\d+) > /.exec(p)?.[1];
        if (port) perPort.set(port, (perPort.get(port) ?? 0) + 1);
      }
      expect(Math.max(0, ...perPort.values()), packets.join('\n')).toBeGreaterThanOrEqual(2);

      expect(r.findings.find((f) => f.id === 'no-incoming-calls')).toMatchObject({ severity: 'problem' });
      expect(JSON.stringify(r.advice)).toContain('qualify_frequency = 20');
      // coturn's view of a plain UDP binding agrees: between 25 and 45 s
      expect(r.stun?.randomPort).toMatchObject({ aliveAfterSeconds: 25, deadAfterSeconds: 45 });
      expect(r.stun?.agreement).toBe('agree');
      // the whole run: about the longest idle time (≤ longest + 10 s)
      expect(r.durationMs).toBeLessThanOrEqual(70_000);
    });
  }, 150_000);
});
