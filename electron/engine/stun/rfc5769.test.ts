// RFC 5769 test vectors, byte for byte: decode, verify MESSAGE-INTEGRITY and FINGERPRINT, and
// re-encode from typed attributes to the identical bytes.
import { describe, expect, it } from 'vitest';
import {
  ATTR,
  Nonce,
  Realm,
  Software,
  Username,
  XorMappedAddress,
  addAttribute,
  createMessage,
  decodeMessage,
  encodeMessage,
  fromHex,
  getAttribute,
  longTermKey,
  shortTermKey,
  verifyIntegrity,
} from './codec.ts';

const PASSWORD = 'VOkJxbRl1RmTxUk/WvJxBt';
const TID = fromHex('b7e7a701bc34d686fa87dfae');

const REQUEST = fromHex(`
  00010058 2112a442 b7e7a701 bc34d686 fa87dfae
  80220010 5354554e 20746573 7420636c 69656e74
  00240004 6e0001ff
  80290008 932ff9b1 51263b36
  00060009 6576746a 3a683676 59202020
  00080014 9aeaa70c bfd8cb56 781ef2b5 b2d3f249 c1b571a2
  80280004 e57a3bcf`);

const IPV4_RESPONSE = fromHex(`
  0101003c 2112a442 b7e7a701 bc34d686 fa87dfae
  8022000b 74657374 20766563 746f7220
  00200008 0001a147 e112a643
  00080014 2b91f599 fd9e90c3 8c7489f9 2af9ba53 f06be7d7
  80280004 c07d4c96`);

const IPV6_RESPONSE = fromHex(`
  01010048 2112a442 b7e7a701 bc34d686 fa87dfae
  8022000b 74657374 20766563 746f7220
  00200014 0002a147 0113a9fa a5d3f179 bc25f4b5 bed2b9d9
  00080014 a382954e 4be67bf1 1784c97c 8292c275 bfe3ed41
  80280004 c8fb0b4c`);

const LONG_TERM_REQUEST = fromHex(`
  00010060 2112a442 78ad3433 c6ad72c0 29da412e
  00060012 e3839ee3 8388e383 aae38383 e382afe3 82b90000
  0015001c 662f2f34 39396b39 35346436 4f4c3334 6f4c3946 53547679 36347341
  0014000b 6578616d 706c652e 6f726700
  00080014 f6702465 6dd64a3e 02b8e071 2e85c9a2 8ca89666`);

describe('RFC 5769 §2.1 sample request', () => {
  it('decodes and verifies', () => {
    const m = decodeMessage(REQUEST);
    expect(m.cls).toBe('request');
    expect(m.method).toBe(1);
    expect(m.transactionId).toEqual(TID);
    expect(getAttribute(m, Software)).toBe('STUN test client');
    expect(getAttribute(m, Username)).toBe('evtj:h6vY');
    expect(m.hasFingerprint).toBe(true);
    expect(verifyIntegrity(m, shortTermKey(PASSWORD))).toBe(true);
    expect(verifyIntegrity(m, shortTermKey('wrong'))).toBe(false);
  });
  it('encodes byte for byte (0x20 padding as in the RFC)', () => {
    const m = createMessage({ cls: 'request', transactionId: TID });
    addAttribute(m, Software, 'STUN test client');
    m.attributes.push({ type: 0x0024, value: fromHex('6e0001ff') }); // PRIORITY
    m.attributes.push({ type: 0x8029, value: fromHex('932ff9b151263b36') }); // ICE-CONTROLLED
    addAttribute(m, Username, 'evtj:h6vY');
    const bytes = encodeMessage(m, {
      integrityKey: shortTermKey(PASSWORD),
      fingerprint: true,
      padByte: 0x20,
    });
    expect(Buffer.from(bytes).toString('hex')).toBe(Buffer.from(REQUEST).toString('hex'));
  });
});

describe('RFC 5769 §2.2 sample IPv4 response', () => {
  it('decodes 192.0.2.1:32853 and verifies', () => {
    const m = decodeMessage(IPV4_RESPONSE);
    expect(m.cls).toBe('success');
    expect(getAttribute(m, XorMappedAddress)).toEqual({ address: '192.0.2.1', port: 32853 });
    expect(getAttribute(m, Software)).toBe('test vector');
    expect(verifyIntegrity(m, shortTermKey(PASSWORD))).toBe(true);
  });
  it('encodes byte for byte', () => {
    const m = createMessage({ cls: 'success', transactionId: TID });
    addAttribute(m, Software, 'test vector');
    addAttribute(m, XorMappedAddress, { address: '192.0.2.1', port: 32853 });
    const bytes = encodeMessage(m, {
      integrityKey: shortTermKey(PASSWORD),
      fingerprint: true,
      padByte: 0x20,
    });
    expect(Buffer.from(bytes).toString('hex')).toBe(Buffer.from(IPV4_RESPONSE).toString('hex'));
  });
});

describe('RFC 5769 §2.3 sample IPv6 response', () => {
  const ep = { address: '2001:db8:1234:5678:11:2233:4455:6677', port: 32853 };
  it('decodes and verifies', () => {
    const m = decodeMessage(IPV6_RESPONSE);
    expect(getAttribute(m, XorMappedAddress)).toEqual(ep);
    expect(verifyIntegrity(m, shortTermKey(PASSWORD))).toBe(true);
  });
  it('encodes byte for byte', () => {
    const m = createMessage({ cls: 'success', transactionId: TID });
    addAttribute(m, Software, 'test vector');
    addAttribute(m, XorMappedAddress, ep);
    const bytes = encodeMessage(m, {
      integrityKey: shortTermKey(PASSWORD),
      fingerprint: true,
      padByte: 0x20,
    });
    expect(Buffer.from(bytes).toString('hex')).toBe(Buffer.from(IPV6_RESPONSE).toString('hex'));
  });
});

describe('RFC 5769 §2.4 sample request with long-term authentication', () => {
  const username = '\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9';
  const password = 'The\u00ADM\u00AAtr\u2168'; // SASLprep → "TheMatrIX"
  const key = longTermKey(username, 'example.org', password);
  it('derives the MD5 key through SASLprep', () => {
    expect(Buffer.from(key).toString('hex')).toBe(
      Buffer.from(longTermKey(username, 'example.org', 'TheMatrIX')).toString('hex'),
    );
  });
  it('decodes and verifies', () => {
    const m = decodeMessage(LONG_TERM_REQUEST);
    expect(getAttribute(m, Username)).toBe(username);
    expect(getAttribute(m, Nonce)).toBe('f//499k954d6OL34oL9FSTvy64sA');
    expect(getAttribute(m, Realm)).toBe('example.org');
    expect(m.hasFingerprint).toBe(false);
    expect(verifyIntegrity(m, key)).toBe(true);
  });
  it('encodes byte for byte', () => {
    const m = createMessage({ cls: 'request', transactionId: fromHex('78ad3433c6ad72c029da412e') });
    addAttribute(m, Username, username);
    addAttribute(m, Nonce, 'f//499k954d6OL34oL9FSTvy64sA');
    addAttribute(m, Realm, 'example.org');
    const bytes = encodeMessage(m, { integrityKey: key });
    expect(Buffer.from(bytes).toString('hex')).toBe(Buffer.from(LONG_TERM_REQUEST).toString('hex'));
  });
});

describe('FINGERPRINT', () => {
  it('rejects a corrupted message', () => {
    const bad = IPV4_RESPONSE.slice();
    bad[30]! ^= 1;
    expect(() => decodeMessage(bad)).toThrow(expect.objectContaining({ code: 'bad-fingerprint' }));
  });
  it('type constant', () => expect(ATTR.FINGERPRINT).toBe(0x8028));
});
