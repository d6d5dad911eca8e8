/**
 * FINGERPRINT — RFC 8489 §14.7: CRC-32 (ISO HDLC, as in zlib) of the message up to the attribute,
 * with the header length already covering the attribute, XOR-ed with 0x5354554e.
 */
import { ATTR, FINGERPRINT_XOR, HEADER_LENGTH } from './constants.ts';
import { setU16, setU32 } from './bytes.ts';

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 of data[start, end) (no copy of the range). */
export function crc32(data: Uint8Array, start = 0, end = data.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** FINGERPRINT value of the message bytes before the attribute: bytes[start, end), usually [0, offset). */
export function fingerprintOf(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return (crc32(bytes, start, end) ^ FINGERPRINT_XOR) >>> 0;
}

/**
 * Appends FINGERPRINT to a message whose attributes end at `off` in `out` (which has room for 8
 * more bytes): sets the header length to cover it first, as §14.7 requires. Returns the new end.
 */
export function appendFingerprint(out: Uint8Array, off: number): number {
  setU16(out, 2, off - HEADER_LENGTH + 8);
  const fp = fingerprintOf(out, 0, off);
  setU16(out, off, ATTR.FINGERPRINT);
  setU16(out, off + 2, 4);
  setU32(out, off + 4, fp);
  return off + 8;
}
