// Reads RTP and RTCP out of a tcpdump capture (libpcap format, Ethernet or Linux "any" cooked
// headers) so lab tests can compute the ground truth of what went over the wire: round-trip times
// of echoed packets, RTCP round trips, the audio delay of an echo (our test signal's bursts, timed
// by capture timestamps) and RFC 3550 jitter.
import { readFileSync } from 'node:fs';

import { decodeG711 } from '../../electron/engine/rtp/g711.ts';
import { MarkerDetector } from '../../electron/engine/rtp/marker-detector.ts';
import { decodeRtcp, ntpMiddle32 } from '../../electron/engine/rtp/rtcp.ts';
import { BURST_PERIOD_FRAMES, FRAME_SAMPLES } from '../../electron/engine/rtp/test-signal.ts';

export interface WireRtp {
  /** Capture time, ms. */
  t: number;
  src: string;
  dst: string;
  seq: number;
  ts: number;
  ssrc: number;
  pt: number;
  payload: Uint8Array;
}

export interface WireRtcp {
  t: number;
  src: string;
  dst: string;
  data: Uint8Array;
}

export function readPcapRtp(path: string): WireRtp[] {
  return readPcap(path).rtp;
}

export function readPcapRtcp(path: string): WireRtcp[] {
  return readPcap(path).rtcp;
}

function readPcap(path: string): { rtp: WireRtp[]; rtcp: WireRtcp[] } {
  const b = readFileSync(path);
  const le = b.readUInt32LE(0) === 0xa1b2c3d4 || b.readUInt32LE(0) === 0xa1b23c4d;
  const u32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const nano = u32(0) === 0xa1b23c4d;
  const link = u32(20);
  // 1 = Ethernet (14-byte header), 113 = Linux cooked v1 (16 bytes), 276 = cooked v2 (20 bytes)
  const l2 = link === 1 ? 14 : link === 113 ? 16 : link === 276 ? 20 : -1;
  if (l2 < 0) throw new Error(`pcap link type ${link} not supported`);
  const proto = (p: number) =>
    link === 1 ? b.readUInt16BE(p + 12) : link === 113 ? b.readUInt16BE(p + 14) : b.readUInt16BE(p);
  const out: WireRtp[] = [];
  const rtcp: WireRtcp[] = [];
  let off = 24;
  while (off + 16 <= b.length) {
    const t = u32(off) * 1000 + u32(off + 4) / (nano ? 1e6 : 1e3);
    const caplen = u32(off + 8);
    const p = off + 16;
    off = p + caplen;
    const ip = p + l2;
    if (off > b.length || proto(p) !== 0x0800 || b[ip + 9] !== 17) continue;
    const ihl = (b[ip]! & 0x0f) * 4;
    const udp = ip + ihl;
    const rtp = udp + 8;
    if (rtp + 12 > off || b[rtp]! >> 6 !== 2) continue;
    const pt = b[rtp + 1]! & 0x7f;
    const addr = (o: number) => `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
    const src = `${addr(ip + 12)}:${b.readUInt16BE(udp)}`;
    const dst = `${addr(ip + 16)}:${b.readUInt16BE(udp + 2)}`;
    const end = Math.min(off, udp + b.readUInt16BE(udp + 4));
    if (pt >= 72 && pt <= 76) {
      // RTCP SR/RR/SDES/BYE/APP (RFC 5761 §4)
      rtcp.push({ t, src, dst, data: new Uint8Array(b.subarray(rtp, end)) });
      continue;
    }
    const cc = b[rtp]! & 0x0f;
    out.push({
      t,
      src,
      dst,
      seq: b.readUInt16BE(rtp + 2),
      ts: b.readUInt32BE(rtp + 4),
      ssrc: b.readUInt32BE(rtp + 8),
      pt,
      payload: new Uint8Array(b.subarray(rtp + 12 + 4 * cc, end)),
    });
  }
  return { rtp: out, rtcp };
}

/**
 * RTCP round trips on the wire (RFC 3550 §6.4.1 with capture times): each report block about the
 * client's stream, matched to the client's SR it names (LSR), gives arrival − SR sent − DLSR.
 * Median, or null without such reports.
 */
export function wireRtcpRtt(packets: WireRtcp[], client: string): number | null {
  const srSent = new Map<number, number>();
  const rtts: number[] = [];
  let ownSsrc: number | null = null;
  for (const p of packets) {
    const decoded = decodeRtcp(p.data) ?? [];
    if (p.src === client) {
      for (const d of decoded)
        if (d.type === 'sr') {
          ownSsrc = d.ssrc;
          srSent.set(ntpMiddle32(d.sender.ntpSec, d.sender.ntpFrac), p.t);
        }
      continue;
    }
    if (p.dst !== client) continue;
    for (const d of decoded) {
      if (d.type !== 'sr' && d.type !== 'rr') continue;
      for (const r of d.reports) {
        const sent = srSent.get(r.lsr);
        if (r.ssrc === ownSsrc && sent !== undefined) rtts.push(p.t - sent - r.dlsr / 65.536);
      }
    }
  }
  rtts.sort((a, b) => a - b);
  return rtts.length ? rtts[Math.floor(rtts.length / 2)]! : null;
}

/**
 * The audio round trip of the echo on the wire: our test signal's bursts as they left the client
 * (each burst starts every BURST_PERIOD_FRAMES frames of our stream) and as they came back, timed
 * by capture timestamps and matched by their marker tone (the engine's MarkerDetector). Median ms.
 */
export function wireAudioLatency(packets: WireRtp[], client: string): number | null {
  const detector = new MarkerDetector();
  let firstTs: number | null = null;
  for (const p of packets) {
    if (p.src === client) {
      firstTs ??= p.ts;
      const frame = Math.round(((p.ts - firstTs) >>> 0) / FRAME_SAMPLES);
      if (frame % BURST_PERIOD_FRAMES === 0) detector.noteSent(frame / BURST_PERIOD_FRAMES, p.t);
    } else if (p.dst === client && (p.pt === 0 || p.pt === 8)) {
      detector.addFrame(decodeG711(p.payload, p.pt === 0 ? 'pcmu' : 'pcma'), p.t);
    }
  }
  return detector.medianLatencyMs();
}

/**
 * Round-trip times of an echo on the wire: each packet the client sent (from `client`) matched to
 * the first packet coming back to it with the same sequence number and timestamp (an echo that
 * reflects packets, whatever SSRC it puts on them). Returns the median and the count.
 */
export function wireEchoRtt(
  packets: WireRtp[],
  client: string,
): { medianMs: number | null; matched: number } {
  const sent = new Map<string, number>();
  const rtts: number[] = [];
  for (const p of packets) {
    const key = `${p.seq}/${p.ts}`;
    if (p.src === client) {
      if (!sent.has(key)) sent.set(key, p.t);
    } else if (p.dst === client) {
      const t0 = sent.get(key);
      if (t0 !== undefined) {
        rtts.push(p.t - t0);
        sent.delete(key);
      }
    }
  }
  rtts.sort((a, b) => a - b);
  return { medianMs: rtts.length ? rtts[Math.floor(rtts.length / 2)]! : null, matched: rtts.length };
}

/** RFC 3550 A.8 interarrival jitter (ms, 8 kHz clock) of the packets arriving at `dst`, in arrival order. */
export function wireJitterMs(packets: WireRtp[], dst?: string): { jitterMs: number; packets: number } {
  let j = 0;
  let last: number | null = null;
  let n = 0;
  for (const p of packets) {
    if (dst !== undefined && p.dst !== dst) continue;
    const transit = p.t - p.ts / 8;
    if (last !== null) j += (Math.abs(transit - last) - j) / 16;
    last = transit;
    n++;
  }
  return { jitterMs: j, packets: n };
}
