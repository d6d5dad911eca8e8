// Stats accuracy of `natscope call` against injected ground truth (issue #6 acceptance):
//  - 5 % random loss per direction (nftables on the router WAN) → reported loss 5 ± 1.5 %;
//  - the lab's userspace delay/jitter relay in the RTP path → RTT and RFC 3550 jitter within 20 %
//    of what the injected delay distribution produces.
import { expect, it } from 'vitest';

import type { CallResult } from '../../shared/contracts/call.ts';
import { describeLab } from './describe-lab.ts';
import { startRelayedSippEcho } from './call-run.ts';
import { withLab } from './lab.ts';
import { readPcapRtp, wireJitterMs } from './pcap-rtp.ts';
import type { Lab } from './lab.ts';

async function call(lab: Lab, port: number, durationSec: number): Promise<CallResult> {
  const r = await lab.natscope<CallResult>(
    'client',
    ['call', `sip:echo@${lab.addr.serverPrimary}:${port}`, '--duration', String(durationSec)],
    { timeoutMs: (durationSec + 60) * 1000 },
  );
  if (!r.json) throw new Error(`natscope call printed no JSON (exit ${r.code}):\n${r.stderr}`);
  return r.json;
}

/**
 * Ground truth for the relay: the RFC 3550 jitter estimator run over packets sent every 20 ms
 * whose two relay legs each add max(0, delay + U(−jitter, +jitter)) (test/lab/tools/udp-tool.ts),
 * processed in arrival order. Averaged over many simulated runs.
 */
function expectedRoundTripJitterMs(delayMs: number, jitterMs: number, packets: number): number {
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
  const leg = () => Math.max(0, delayMs + (rand() * 2 - 1) * jitterMs);
  const runs = 50;
  let sum = 0;
  for (let run = 0; run < runs; run++) {
    const arr = Array.from({ length: packets }, (_, i) => ({ sent: i * 20, at: i * 20 + leg() + leg() }));
    arr.sort((a, b) => a.at - b.at);
    let j = 0;
    for (let i = 1; i < arr.length; i++) {
      const d = arr[i]!.at - arr[i - 1]!.at - (arr[i]!.sent - arr[i - 1]!.sent);
      j += (Math.abs(d) - j) / 16;
    }
    sum += j;
  }
  return sum / runs;
}

describeLab('lab echo call accuracy', () => {
  it('5 % random loss per direction is reported as 5 ± 1.5 %', async () => {
    await withLab('masquerade', { lossPercent: 5, coturn: false, stund: false }, async (lab) => {
      await lab.startSippEcho();
      const r = await call(lab, lab.ports.sip, 30);
      expect(r.answered).toBe(true);
      const s = r.rtp!;
      console.log(
        `[accuracy] loss injected 5 %/direction: reported lossPercent ${s.lossPercent} % (basis ${s.lossBasis}), round-trip ${s.roundTripLossPercent} % (expected ${(100 * (1 - 0.95 ** 2)).toFixed(2)} %), sent ${s.sent}, received ${s.received}`,
      );
      expect(s.lossBasis).toBe('round-trip-split');
      expect(Math.abs(s.lossPercent - 5)).toBeLessThanOrEqual(1.5);
      expect(Math.abs(s.roundTripLossPercent! - 9.75)).toBeLessThanOrEqual(3);
    });
  }, 150_000);

  it('RTT and jitter through the delay/jitter relay are within 20 % of the injected values', async () => {
    await withLab('masquerade', { coturn: false, stund: false }, async (lab) => {
      const delayMs = 40;
      const jitterMs = Number(process.env.NS_JITTER ?? 10);
      const relay = await startRelayedSippEcho(lab, { delayMs, jitterMs, sipPort: 5064 });
      const cap = await lab.capture('client', `udp src port ${relay.port}`, { iface: 'eth0' });
      const r = await call(lab, 5064, 20);
      // The jitter the path really produced (the relay's timers add some of their own on a loaded
      // machine): RFC 3550 A.8 over the echoed RTP as captured on the client's wire, in arrival order.
      const wire = wireJitterMs(readPcapRtp((await cap.stop()).pcapPath));
      expect(r.answered).toBe(true);
      const s = r.rtp!;
      const rttTruth = 2 * delayMs;
      const modelJitter = expectedRoundTripJitterMs(delayMs, jitterMs, s.received);
      // Ground truth: the jitter on the wire; the relay's own model value is printed for reference.
      const jitterTruth = wire.jitterMs;
      console.log(
        `[accuracy] relay delay ${delayMs} ms ± ${jitterMs} ms per leg: RTT ${s.rttMs} ms via ${s.rttSource} (truth ${rttTruth}), audio latency ${s.audioLatencyMs} ms, jitter ${s.jitterMs} ms (on the wire ${jitterTruth.toFixed(2)} over ${wire.packets} packets; relay model ${modelJitter.toFixed(2)}), reordered ${s.reordered}, MOS ${s.mos}`,
      );
      expect(s.rttSource).toBe('echoed-packets');
      expect(Math.abs(s.rttMs! - rttTruth)).toBeLessThanOrEqual(0.2 * rttTruth);
      expect(Math.abs(s.audioLatencyMs! - rttTruth)).toBeLessThanOrEqual(0.2 * rttTruth);
      expect(Math.abs(s.jitterMs! - jitterTruth)).toBeLessThanOrEqual(0.2 * jitterTruth);
      expect(r.media!.remoteSdpRtp).toBe(`${relay.address}:${relay.port}`);
    });
  }, 150_000);
});
