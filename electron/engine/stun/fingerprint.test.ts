import { describe, expect, it } from 'vitest';
import { crc32 } from './fingerprint.ts';

/** CRC-32 bit by bit (reflected polynomial 0xedb88320, no table): the reference for the written-out table. */
function crc32Bitwise(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

describe('crc32', () => {
  it('matches the bitwise CRC for every one-byte input (each reads a different table entry)', () => {
    for (let b = 0; b < 256; b++) expect(crc32(Uint8Array.of(b))).toBe(crc32Bitwise(Uint8Array.of(b)));
  });

  it('gives the standard check value and agrees on longer input', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    const data = Uint8Array.from({ length: 1000 }, (_, i) => (i * 151 + 7) & 0xff);
    expect(crc32(data)).toBe(crc32Bitwise(data));
    expect(crc32(data, 10, 500)).toBe(crc32Bitwise(data.subarray(10, 500)));
  });
});
