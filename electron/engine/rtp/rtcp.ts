/**
 * RTCP compound packets — RFC 3550 §6.4 (SR, RR and report blocks), §6.5 (SDES CNAME),
 * §6.6 (BYE); NTP timestamp format §4. Unknown packet types are skipped; decode never throws.
 */
export interface ReportBlock {
  ssrc: number;
  fractionLost: number; // 0..255, §6.4.1
  cumulativeLost: number; // signed 24-bit
  highestSeq: number; // extended highest sequence number received
  jitter: number; // timestamp units
  lsr: number; // middle 32 bits of the NTP timestamp of the last SR received
  dlsr: number; // delay since last SR, 1/65536 s
}

export interface SenderInfo {
  ntpSec: number;
  ntpFrac: number;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
}

export type RtcpPacket =
  | { type: 'sr'; ssrc: number; sender: SenderInfo; reports: ReportBlock[] }
  | { type: 'rr'; ssrc: number; reports: ReportBlock[] }
  | { type: 'sdes'; cname: string | null; ssrc: number }
  | { type: 'bye'; ssrcs: number[] }
  | { type: 'other'; pt: number };

const PT_SR = 200;
const PT_RR = 201;
const PT_SDES = 202;
const PT_BYE = 203;

/** Unix epoch ms → NTP 64-bit timestamp (seconds since 1900 + 2^-32 fraction). */
export function ntpFromUnixMs(ms: number): { sec: number; frac: number } {
  const secs = ms / 1000 + 2208988800;
  const sec = Math.floor(secs);
  return { sec: sec >>> 0, frac: Math.floor((secs - sec) * 2 ** 32) >>> 0 };
}

/** The "middle 32 bits" compact NTP form used by LSR/DLSR (§6.4.1), in 1/65536 s units. */
export function ntpMiddle32(sec: number, frac: number): number {
  return (((sec & 0xffff) << 16) | (frac >>> 16)) >>> 0;
}

export function decodeRtcp(data: Uint8Array): RtcpPacket[] | null {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: RtcpPacket[] = [];
  let off = 0;
  while (off + 4 <= data.length) {
    const b0 = v.getUint8(off);
    if (b0 >> 6 !== 2) return out.length ? out : null;
    const count = b0 & 0x1f;
    const pt = v.getUint8(off + 1);
    const len = (v.getUint16(off + 2) + 1) * 4;
    if (off + len > data.length) return out.length ? out : null;
    const end = off + len;
    if (pt === PT_SR || pt === PT_RR) {
      const ssrc = v.getUint32(off + 4);
      let p = off + 8;
      let sender: SenderInfo | undefined;
      if (pt === PT_SR) {
        if (p + 20 > end) return null;
        sender = {
          ntpSec: v.getUint32(p),
          ntpFrac: v.getUint32(p + 4),
          rtpTimestamp: v.getUint32(p + 8),
          packetCount: v.getUint32(p + 12),
          octetCount: v.getUint32(p + 16),
        };
        p += 20;
      }
      const reports: ReportBlock[] = [];
      for (let i = 0; i < count && p + 24 <= end; i++, p += 24) {
        const lostRaw = v.getUint32(p + 4) & 0xffffff;
        reports.push({
          ssrc: v.getUint32(p),
          fractionLost: v.getUint8(p + 4),
          cumulativeLost: lostRaw & 0x800000 ? lostRaw - 0x1000000 : lostRaw,
          highestSeq: v.getUint32(p + 8),
          jitter: v.getUint32(p + 12),
          lsr: v.getUint32(p + 16),
          dlsr: v.getUint32(p + 20),
        });
      }
      out.push(sender ? { type: 'sr', ssrc, sender, reports } : { type: 'rr', ssrc, reports });
    } else if (pt === PT_SDES && len >= 8) {
      const ssrc = v.getUint32(off + 4);
      let cname: string | null = null;
      for (let p = off + 8; p + 2 <= end;) {
        const item = v.getUint8(p);
        if (item === 0) break;
        const ilen = v.getUint8(p + 1);
        if (p + 2 + ilen > end) break;
        if (item === 1) cname = new TextDecoder().decode(data.subarray(p + 2, p + 2 + ilen));
        p += 2 + ilen;
      }
      out.push({ type: 'sdes', ssrc, cname });
    } else if (pt === PT_BYE) {
      const ssrcs: number[] = [];
      for (let i = 0; i < count && off + 8 + i * 4 <= end; i++) ssrcs.push(v.getUint32(off + 4 + i * 4));
      out.push({ type: 'bye', ssrcs });
    } else {
      out.push({ type: 'other', pt });
    }
    off = end;
  }
  return out.length ? out : null;
}

function header(view: DataView, off: number, count: number, pt: number, words: number): void {
  view.setUint8(off, 0x80 | count);
  view.setUint8(off + 1, pt);
  view.setUint16(off + 2, words - 1);
}

function writeBlock(view: DataView, p: number, r: ReportBlock): void {
  view.setUint32(p, r.ssrc >>> 0);
  const lost = Math.max(-0x800000, Math.min(0x7fffff, r.cumulativeLost)) & 0xffffff;
  view.setUint32(p + 4, ((r.fractionLost & 0xff) << 24) | lost);
  view.setUint32(p + 8, r.highestSeq >>> 0);
  view.setUint32(p + 12, r.jitter >>> 0);
  view.setUint32(p + 16, r.lsr >>> 0);
  view.setUint32(p + 20, r.dlsr >>> 0);
}

/** A compound packet: SR (or RR when `sender` is absent) followed by SDES CNAME (§6.1). */
export function encodeRtcpCompound(o: {
  ssrc: number;
  sender?: SenderInfo;
  reports: ReportBlock[];
  cname: string;
  bye?: boolean;
}): Uint8Array {
  const reports = o.reports.slice(0, 31);
  const first = 8 + (o.sender ? 20 : 0) + reports.length * 24;
  const cname = new TextEncoder().encode(o.cname).subarray(0, 255);
  const sdes = Math.ceil((8 + 2 + cname.length + 1) / 4) * 4;
  const bye = o.bye ? 8 : 0;
  const out = new Uint8Array(first + sdes + bye);
  const v = new DataView(out.buffer);
  header(v, 0, reports.length, o.sender ? PT_SR : PT_RR, first / 4);
  v.setUint32(4, o.ssrc >>> 0);
  let p = 8;
  if (o.sender) {
    v.setUint32(p, o.sender.ntpSec >>> 0);
    v.setUint32(p + 4, o.sender.ntpFrac >>> 0);
    v.setUint32(p + 8, o.sender.rtpTimestamp >>> 0);
    v.setUint32(p + 12, o.sender.packetCount >>> 0);
    v.setUint32(p + 16, o.sender.octetCount >>> 0);
    p += 20;
  }
  for (const r of reports) {
    writeBlock(v, p, r);
    p += 24;
  }
  header(v, first, 1, PT_SDES, sdes / 4);
  v.setUint32(first + 4, o.ssrc >>> 0);
  v.setUint8(first + 8, 1);
  v.setUint8(first + 9, cname.length);
  out.set(cname, first + 10);
  if (o.bye) {
    header(v, first + sdes, 1, PT_BYE, 2);
    v.setUint32(first + sdes + 4, o.ssrc >>> 0);
  }
  return out;
}
