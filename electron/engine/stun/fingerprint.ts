/**
 * FINGERPRINT — RFC 8489 §14.7: CRC-32 (ISO HDLC, as in zlib) of the message up to the attribute,
 * with the header length already covering the attribute, XOR-ed with 0x5354554e.
 */
import { FINGERPRINT_XOR } from './constants.ts';

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of data) c = TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function fingerprintOf(messageUpToAttribute: Uint8Array): number {
  return (crc32(messageUpToAttribute) ^ FINGERPRINT_XOR) >>> 0;
}
