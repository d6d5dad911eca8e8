import { describe, expect, it } from 'vitest';
import { alawToLinear, decodeG711, encodeG711, linearToAlaw, linearToUlaw, ulawToLinear } from './g711.ts';
import { decodeRtcp, encodeRtcpCompound, ntpFromUnixMs, ntpMiddle32 } from './rtcp.ts';
import { decodeRtp, encodeRtp } from './rtp-packet.ts';
import { ReceiverStats } from './receiver-stats.ts';
import { MarkerDetector } from './marker-detector.ts';
import { testSignalFrame, BURST_PERIOD_FRAMES } from './test-signal.ts';
import { burstRatio } from './quality.ts';

/** Deterministic PRNG for the fuzzers (mulberry32). */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('RTP packet (RFC 3550 §5.1)', () => {
  it('round-trips the fixed header and payload', () => {
    const p = {
      payloadType: 8,
      marker: true,
      sequence: 65535,
      timestamp: 0xfffffff0,
      ssrc: 0xdeadbeef,
      payload: new Uint8Array([1, 2, 3]),
    };
    const d = decodeRtp(encodeRtp(p))!;
    expect(d).toEqual(p);
  });

  it('skips CSRCs and a header extension and strips padding', () => {
    const b = new Uint8Array([
      0xb1, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, /*csrc*/ 9, 9, 9, 9, /*ext*/ 0xbe, 0xde, 0, 1, 7, 7, 7, 7,
      /*payload*/ 0xaa, 0xbb, /*pad*/ 0, 3,
    ]);
    const d = decodeRtp(b)!;
    expect(d.sequence).toBe(1);
    expect(Array.from(d.payload)).toEqual([0xaa]);
  });

  it('rejects RTCP, wrong versions and short packets', () => {
    expect(decodeRtp(new Uint8Array([0x80, 200, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]))).toBeNull();
    expect(decodeRtp(new Uint8Array([0x40, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]))).toBeNull();
    expect(decodeRtp(new Uint8Array(5))).toBeNull();
  });

  it('fuzz: random and mutated packets never throw', () => {
    const r = rng(1);
    const valid = encodeRtp({
      payloadType: 0,
      marker: false,
      sequence: 5,
      timestamp: 5,
      ssrc: 5,
      payload: new Uint8Array(160),
    });
    for (let i = 0; i < 20000; i++) {
      const len = Math.floor(r() * 200);
      const b =
        i % 2
          ? new Uint8Array(len).map(() => Math.floor(r() * 256))
          : valid.slice(0, Math.max(1, len)).map((x) => (r() < 0.05 ? Math.floor(r() * 256) : x));
      const d = decodeRtp(b);
      if (d) expect(d.payload.length).toBeLessThanOrEqual(b.length);
      decodeRtcp(b);
    }
  });
});

describe('RTCP (RFC 3550 §6.4)', () => {
  it('round-trips SR + report block + SDES + BYE', () => {
    const block = {
      ssrc: 7,
      fractionLost: 25,
      cumulativeLost: -3,
      highestSeq: 70000,
      jitter: 40,
      lsr: 0x12345678,
      dlsr: 65536,
    };
    const pkt = encodeRtcpCompound({
      ssrc: 1,
      sender: { ntpSec: 3900000000, ntpFrac: 123, rtpTimestamp: 160, packetCount: 50, octetCount: 8000 },
      reports: [block],
      cname: 'natscope@x',
      bye: true,
    });
    const d = decodeRtcp(pkt)!;
    expect(d[0]).toEqual({
      type: 'sr',
      ssrc: 1,
      sender: { ntpSec: 3900000000, ntpFrac: 123, rtpTimestamp: 160, packetCount: 50, octetCount: 8000 },
      reports: [block],
    });
    expect(d[1]).toEqual({ type: 'sdes', ssrc: 1, cname: 'natscope@x' });
    expect(d[2]).toEqual({ type: 'bye', ssrcs: [1] });
    expect(pkt.length % 4).toBe(0);
  });

  it('NTP middle 32 bits: 1 s = 65536 units', () => {
    const a = ntpFromUnixMs(1_700_000_000_000);
    const b = ntpFromUnixMs(1_700_000_001_000);
    expect((ntpMiddle32(b.sec, b.frac) - ntpMiddle32(a.sec, a.frac)) >>> 0).toBe(65536);
  });
});

describe('G.711', () => {
  it('matches the reference code points', () => {
    expect(linearToUlaw(0)).toBe(0xff);
    expect(linearToAlaw(0)).toBe(0xd5);
    expect(ulawToLinear(0xff)).toBe(0);
    expect(ulawToLinear(0x00)).toBe(-32124);
    expect(ulawToLinear(0x80)).toBe(32124);
    expect(alawToLinear(0xd5)).toBe(8);
    expect(alawToLinear(0x55)).toBe(-8);
    expect(alawToLinear(0xaa)).toBe(32256);
  });

  it('every code decodes and re-encodes to itself (except μ-law negative zero)', () => {
    for (let c = 0; c < 256; c++) {
      expect(linearToAlaw(alawToLinear(c))).toBe(c);
      if (c !== 0x7f) expect(linearToUlaw(ulawToLinear(c))).toBe(c);
    }
  });

  it('keeps a tone within companding error', () => {
    const x = Int16Array.from({ length: 160 }, (_, i) => Math.round(8000 * Math.sin(i / 3)));
    for (const law of ['pcmu', 'pcma'] as const) {
      const y = decodeG711(encodeG711(x, law), law);
      for (let i = 0; i < x.length; i++)
        expect(Math.abs(y[i]! - x[i]!)).toBeLessThanOrEqual(Math.abs(x[i]!) / 16 + 16);
    }
  });
});

describe('receiver statistics (RFC 3550 A.1, A.3, A.8)', () => {
  it('counts loss, duplicates and reordering across the sequence wrap', () => {
    const s = new ReceiverStats(8000);
    const seqs = [65530, 65531, 65533, 65532, 65532, 65534, 65535, 0, 2, 3];
    seqs.forEach((q, i) => s.add(q, i * 160, i * 20));
    const r = s.snapshot();
    expect(r.expected).toBe(10); // 65530 … 3
    expect(r.received).toBe(9);
    expect(r.lost).toBe(1); // seq 1
    expect(r.duplicates).toBe(1);
    expect(r.reordered).toBe(1);
    expect(r.extendedHighestSeq).toBe(65536 + 3);
    expect(r.lossBursts).toBe(1); // the gap at 65532 was filled late; seq 1 is the only loss run
  });

  it('jitter is 0 for perfect pacing and converges to the mean |D| otherwise', () => {
    const s = new ReceiverStats(8000);
    for (let i = 0; i < 500; i++) s.add(i, i * 160, i * 20);
    expect(s.snapshot().jitterMs).toBeCloseTo(0, 6);
    const t = new ReceiverStats(8000);
    // Alternating ±5 ms transit: |D| = 10 ms every packet → J → 10 ms.
    for (let i = 0; i < 1000; i++) t.add(i, i * 160, i * 20 + (i % 2 ? 5 : -5));
    expect(t.snapshot().jitterMs).toBeCloseTo(10, 1);
  });

  it('fraction lost for the RR is per interval (A.3)', () => {
    const s = new ReceiverStats(8000);
    for (let i = 0; i < 100; i++) if (i % 4 !== 3) s.add(i, i * 160, i * 20);
    const f = s.takeFractionLost();
    expect(f.fraction).toBe(Math.floor((24 * 256) / 99)); // 24 lost (3, 7, … 95) of 99 expected (0…98)
    expect(s.takeFractionLost().fraction).toBe(0);
  });

  it('burst ratio is 1 for isolated losses and > 1 for bursts', () => {
    expect(burstRatio(95, 5, 5)).toBeCloseTo(1, 1);
    expect(burstRatio(95, 5, 1)).toBeGreaterThan(3);
  });
});

describe('marker test signal', () => {
  it('measures the latency of a delayed echo by its markers', () => {
    const det = new MarkerDetector();
    const delayFrames = 37; // 740 ms
    for (let n = 0; n < BURST_PERIOD_FRAMES * 6; n++) {
      const f = testSignalFrame(n);
      if (f.burstStart !== null) det.noteSent(f.burstStart, n * 20);
      const back = n - delayFrames;
      if (back >= 0)
        det.addFrame(decodeG711(encodeG711(testSignalFrame(back).samples, 'pcmu'), 'pcmu'), n * 20);
    }
    expect(det.count).toBeGreaterThanOrEqual(5);
    expect(det.medianLatencyMs()).toBeGreaterThanOrEqual(740);
    expect(det.medianLatencyMs()).toBeLessThan(742);
  });

  it('ignores silence and noise', () => {
    const det = new MarkerDetector();
    det.noteSent(0, 0);
    const r = rng(3);
    for (let n = 0; n < 100; n++)
      expect(
        det.addFrame(
          Int16Array.from({ length: 160 }, () => Math.round((r() - 0.5) * 200)),
          n * 20,
        ),
      ).toBeNull();
  });
});
