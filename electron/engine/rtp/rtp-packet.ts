/**
 * RTP fixed header encode/decode — RFC 3550 §5.1. CSRC list and header extension (§5.3.1) are
 * skipped on decode; padding (§5.1 P bit) is removed. Decoding never throws: bad input → null.
 */
export interface RtpPacket {
  payloadType: number;
  marker: boolean;
  sequence: number;
  timestamp: number;
  ssrc: number;
  payload: Uint8Array;
}

export const RTP_HEADER_LENGTH = 12;

export function encodeRtp(p: RtpPacket): Uint8Array {
  const out = new Uint8Array(RTP_HEADER_LENGTH + p.payload.length);
  const v = new DataView(out.buffer);
  v.setUint8(0, 0x80); // V=2, P=0, X=0, CC=0
  v.setUint8(1, (p.marker ? 0x80 : 0) | (p.payloadType & 0x7f));
  v.setUint16(2, p.sequence & 0xffff);
  v.setUint32(4, p.timestamp >>> 0);
  v.setUint32(8, p.ssrc >>> 0);
  out.set(p.payload, RTP_HEADER_LENGTH);
  return out;
}

export function decodeRtp(data: Uint8Array): RtpPacket | null {
  if (data.length < RTP_HEADER_LENGTH) return null;
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const b0 = v.getUint8(0);
  if (b0 >> 6 !== 2) return null;
  const b1 = v.getUint8(1);
  const pt = b1 & 0x7f;
  // RFC 5761 §4: payload types 72–76 (with marker) are RTCP SR/RR/SDES/BYE/APP, not RTP.
  if (pt >= 72 && pt <= 76) return null;
  let offset = RTP_HEADER_LENGTH + (b0 & 0x0f) * 4;
  if (b0 & 0x10) {
    if (data.length < offset + 4) return null;
    offset += 4 + v.getUint16(offset + 2) * 4;
  }
  let end = data.length;
  if (b0 & 0x20) {
    const pad = v.getUint8(data.length - 1);
    if (pad === 0) return null;
    end -= pad;
  }
  if (end < offset) return null;
  return {
    payloadType: pt,
    marker: (b1 & 0x80) !== 0,
    sequence: v.getUint16(2),
    timestamp: v.getUint32(4),
    ssrc: v.getUint32(8),
    payload: data.subarray(offset, end),
  };
}
