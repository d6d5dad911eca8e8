import { describe, expect, it } from 'vitest';
import { ipToBytes } from '../stun/ip.ts';
import { sourceKey, sourceKeyWords, sourceKeyWordsOfBytes } from './source-key.ts';

describe('sourceKey: IPv4 /32, IPv6 /64', () => {
  it('IPv4 is its own key; mapped IPv4 too', () => {
    expect(sourceKey('203.0.113.7')).toBe('203.0.113.7');
    expect(sourceKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });
  it('every address of one /64 shares a key, whatever its spelling', () => {
    const k = sourceKey('2001:db8:0:1::1');
    for (const a of ['2001:db8:0:1:ffff:ffff:ffff:ffff', '2001:0db8:0000:0001::abcd', '2001:DB8:0:1:0:0:0:2'])
      expect(sourceKey(a)).toBe(k);
    expect(k).toBe('2001:db8:0:1::/64');
  });
  it('another /64 is another key', () => {
    expect(sourceKey('2001:db8:0:2::1')).not.toBe(sourceKey('2001:db8:0:1::1'));
    expect(sourceKey('::1')).toBe('0:0:0:0::/64');
    expect(sourceKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });
});

describe('sourceKeyWordsOfBytes: the key of the text form, from bytes', () => {
  it('IPv4, mapped IPv4 and IPv6 /64, at an offset', () => {
    for (const a of [
      '203.0.113.7',
      '255.255.255.255',
      '::ffff:203.0.113.7',
      '2001:db8:0:1::1',
      'fe80::ffff:1',
      '::1',
    ]) {
      const bytes = ipToBytes(a);
      const buf = new Uint8Array(40);
      buf.set(bytes, 9);
      const fromBytes = new Uint32Array(3);
      const fromText = new Uint32Array(3);
      sourceKeyWordsOfBytes(buf, 9, bytes.length as 4 | 16, fromBytes);
      sourceKeyWords(a, fromText);
      expect([...fromBytes], a).toEqual([...fromText]);
    }
  });
});
