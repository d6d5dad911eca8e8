// Smoke test for the lab's impairments: WAN packet loss (nftables numgen), the userspace
// delay/jitter relay, and the per-namespace conntrack UDP timeout (mapping expiry).
import { afterAll, beforeAll, expect, it } from 'vitest';

import { describeLab } from './describe-lab.ts';
import { attachLogs, parseJsonLines, startLab } from './lab.ts';
import type { Lab } from './lab.ts';

interface PingResult {
  sent: number;
  received: number;
  rttMs: number[];
}

describeLab('lab impairments (masquerade)', () => {
  let lab: Lab;
  const ECHO = 7777;
  beforeAll(async () => {
    lab = await startLab('masquerade', { coturn: false, stund: false, lossPercent: 30 });
    await lab.startUdpTool('server', 'echo', ['echo', '--bind', `${lab.addr.serverPrimary}:${ECHO}`], ECHO);
  });
  afterAll(async () => {
    await lab?.destroy();
  });
  const withLogs = (fn: () => Promise<void>) => async (): Promise<void> => {
    try {
      await fn();
    } catch (err) {
      throw attachLogs(err, lab);
    }
  };
  const ping = async (to: string, count: number, interval: number, srcPort: number): Promise<PingResult> => {
    const r = await lab.udpTool(
      'client',
      [
        'ping',
        '--to',
        to,
        '--bind',
        `0.0.0.0:${srcPort}`,
        '--count',
        String(count),
        '--interval',
        String(interval),
        '--timeout',
        '15000',
      ],
      { timeoutMs: 30_000 },
    );
    const res = r.lines.find((l) => typeof l.received === 'number');
    if (!res) throw new Error(`ping produced no result: ${r.stderr}`);
    return res as unknown as PingResult;
  };
  const median = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)] ?? NaN;
  };

  it(
    'drops the configured share of WAN UDP (30 % each way), and none when switched off',
    withLogs(async () => {
      const lossy = await ping(`${lab.addr.serverPrimary}:${ECHO}`, 200, 5, 42000);
      // round trip survives with p = 0.7 * 0.7 = 0.49
      expect(lossy.received).toBeGreaterThan(60);
      expect(lossy.received).toBeLessThan(140);
      await lab.setLoss(0);
      const clean = await ping(`${lab.addr.serverPrimary}:${ECHO}`, 50, 5, 42001);
      expect(clean.received).toBe(50);
    }),
  );

  it(
    'the userspace relay adds delay and jitter in both directions',
    withLogs(async () => {
      await lab.setLoss(0);
      const direct = await ping(`${lab.addr.serverPrimary}:${ECHO}`, 20, 10, 42010);
      expect(direct.received).toBe(20);
      expect(median(direct.rttMs)).toBeLessThan(20);
      // relay on server2: 203.0.113.20:9000 -> echo, 40 ms +- 10 ms each way
      await lab.startRelay('server2', {
        listen: `${lab.addr.server2}:9000`,
        to: `${lab.addr.serverPrimary}:${ECHO}`,
        delayMs: 40,
        jitterMs: 10,
      });
      const relayed = await ping(`${lab.addr.server2}:9000`, 30, 20, 42011);
      expect(relayed.received).toBe(30);
      const min = Math.min(...relayed.rttMs);
      const max = Math.max(...relayed.rttMs);
      expect(min).toBeGreaterThanOrEqual(58);
      expect(max).toBeLessThan(250);
      expect(median(relayed.rttMs)).toBeGreaterThan(70);
      expect(max - min).toBeGreaterThan(5); // jitter
    }),
  );

  it(
    "setUdpTimeout shortens the router's UDP mapping lifetime",
    withLogs(async () => {
      await lab.setUdpTimeout(2);
      try {
        // the client opens a mapping to server2, which answers at once (mapping alive) and
        // again after 4.5 s (> 2 s unreplied-UDP timeout: mapping gone, answer dropped). Timing
        // is kept inside the two long-lived processes, so machine load does not matter.
        const responder = await lab.startUdpTool(
          'server2',
          'responder',
          ['responder', '--bind', '0.0.0.0:9100', '--replies', 'early@0,late@4500', '--timeout', '30000'],
          9100,
        );
        const listener = await lab.startUdpTool(
          'client',
          'listener',
          [
            'listen',
            '--bind',
            '0.0.0.0:45000',
            '--hello',
            `${lab.addr.server2}:9100`,
            '--count',
            '2',
            '--timeout',
            '8000',
          ],
          45000,
        );
        await responder.waitExit(35_000);
        await listener.waitExit(15_000);
        const seen = parseJsonLines(responder.log()).find((l) => typeof l.from === 'string');
        expect(seen?.from).toBe(`${lab.addr.routerWan}:45000`);
        const got = parseJsonLines(listener.log())
          .map((l) => l.data)
          .filter((d) => typeof d === 'string');
        expect(got).toEqual(['early']);
      } finally {
        await lab.setUdpTimeout(30);
      }
    }),
  );
});
