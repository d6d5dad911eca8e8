// RFC 8489 Appendix B.1 (as corrected by errata 6268): a Binding request with long-term
// authentication, USERHASH, PASSWORD-ALGORITHM SHA-256 and MESSAGE-INTEGRITY-SHA256 — decoded,
// verified, and re-encoded from typed attributes to the identical bytes. Plus round trips of every
// TURN attribute (RFC 8656 §18, RFC 6062 §6.2) through encode → decode.
import { describe, expect, it } from 'vitest';
import {
  ATTR,
  ChannelNumber,
  ConnectionId,
  Data,
  DontFragment,
  EvenPort,
  Lifetime,
  Nonce,
  PASSWORD_ALGORITHM,
  PasswordAlgorithm,
  PasswordAlgorithms,
  Realm,
  RequestedAddressFamily,
  RequestedTransport,
  ReservationToken,
  UserHash,
  XorPeerAddress,
  XorRelayedAddress,
  addAttribute,
  concatBytes,
  hmacSha256,
  createMessage,
  decodeMessage,
  describeAttributes,
  encodeMessage,
  fromHex,
  getAttribute,
  longTermKeySha256,
  userHash,
  verifyIntegritySha256,
  type AttributeCodec,
} from './codec.ts';

const USERNAME = '\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9'; // "マトリックス"
const PASSWORD = 'TheMatrIX';
const NONCE = 'obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA';
const REALM = 'example.org';
const TID = fromHex('78ad3433c6ad72c029da412e');

const B1 = fromHex(`
  00010090 2112a442 78ad3433 c6ad72c0 29da412e
  001e0020 4a3cf38f ef6992bd a952c678 0417da0f 24819415 569e60b2 05c46e41 407f1704
  00150029 6f624d61 744a6f73 32414141 43662f2f 3439396b 39353464 364f4c33 346f4c39
           46535476 79363473 41000000
  0014000b 6578616d 706c652e 6f726700
  001d0004 00020000
  001c0020 b5c7bf00 5b6c52a2 1c51c5e8 92f81924 136296cb 927c4314 9309278c c6518e65`);

describe('RFC 8489 Appendix B.1 (errata 6268)', () => {
  it('decodes and verifies MESSAGE-INTEGRITY-SHA256 with the SHA-256 long-term key', () => {
    const m = decodeMessage(B1);
    expect(m.cls).toBe('request');
    expect(getAttribute(m, UserHash)).toEqual(userHash(USERNAME, REALM));
    expect(getAttribute(m, Nonce)).toBe(NONCE);
    expect(getAttribute(m, Realm)).toBe(REALM);
    expect(getAttribute(m, PasswordAlgorithm)?.algorithm).toBe(PASSWORD_ALGORITHM.SHA256);
    expect(m.integritySha256Offset).not.toBeNull();
    expect(verifyIntegritySha256(m, longTermKeySha256(USERNAME, REALM, PASSWORD))).toBe(true);
    expect(verifyIntegritySha256(m, longTermKeySha256(USERNAME, REALM, 'TheMatrix'))).toBe(false);
  });

  it('encodes the same bytes from typed attributes', () => {
    const m = createMessage({ cls: 'request', transactionId: TID });
    addAttribute(m, UserHash, userHash(USERNAME, REALM));
    addAttribute(m, Nonce, NONCE);
    addAttribute(m, Realm, REALM);
    addAttribute(m, PasswordAlgorithm, {
      algorithm: PASSWORD_ALGORITHM.SHA256,
      parameters: new Uint8Array(),
    });
    const bytes = encodeMessage(m, { integritySha256Key: longTermKeySha256(USERNAME, REALM, PASSWORD) });
    expect(Buffer.from(bytes).toString('hex')).toBe(Buffer.from(B1).toString('hex'));
  });

  it('accepts a truncated 16-byte MAC, rejects 12 bytes, ignores attributes after it', () => {
    const key = longTermKeySha256('u', 'r', 'p');
    const m = createMessage({ cls: 'request' });
    addAttribute(m, Realm, 'r');
    const body = encodeMessage(m).slice(20);
    // header length covers the 16-byte MAC attribute; the MAC is the first 16 bytes (§14.6)
    const head = encodeMessage(m).slice(0, 20);
    head[3] = body.length + 20;
    const mac = hmacSha256(key, concatBytes([head, body])).subarray(0, 16);
    const attr = Uint8Array.of(0x00, 0x1c, 0x00, 0x10, ...mac);
    const trailing = Uint8Array.of(0x00, 0x14, 0x00, 0x01, 0x78, 0, 0, 0); // REALM "x", ignored
    const msg = concatBytes([head, body, attr, trailing]);
    msg[3] = msg.length - 20;
    const d = decodeMessage(msg);
    expect(verifyIntegritySha256(d, key)).toBe(true);
    expect(d.ignoredAfterIntegrity).toBe(1);
    expect(getAttribute(d, Realm)).toBe('r');
    const full = decodeMessage(encodeMessage(m, { integritySha256Key: key }));
    expect(() => decodeMessage(withMiLength(full.raw, full.integritySha256Offset!, 12))).toThrow(
      /MESSAGE-INTEGRITY-SHA256 of 12/,
    );
  });
});

function withMiLength(raw: Uint8Array, off: number, len: number): Uint8Array {
  const t = raw.slice(0, off + 4 + len);
  t[off + 3] = len;
  t[3] = t.length - 20;
  return t;
}

describe('TURN attributes round trip', () => {
  const cases: [AttributeCodec<never>, unknown][] = [
    [XorPeerAddress, { address: '192.0.2.15', port: 32853 }],
    [XorRelayedAddress, { address: '2001:db8::15', port: 49152 }],
    [Lifetime, 600],
    [ConnectionId, 0xdeadbeef],
    [RequestedTransport, 17],
    [ChannelNumber, 0x4001],
    [Data, Uint8Array.of(1, 2, 3, 4, 5)],
    [ReservationToken, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)],
    [EvenPort, { reserveNext: true }],
    [RequestedAddressFamily, 6],
    [
      PasswordAlgorithms,
      [
        { algorithm: 2, parameters: new Uint8Array() },
        { algorithm: 1, parameters: Uint8Array.of(9) },
      ],
    ],
    [PasswordAlgorithm, { algorithm: 1, parameters: new Uint8Array() }],
    [UserHash, new Uint8Array(32).fill(7)],
    [DontFragment, true],
  ] as unknown as [AttributeCodec<never>, unknown][];
  it.each(cases.map(([c, v]) => [c.name, c, v] as const))('%s', (_name, codec, value) => {
    const m = createMessage({ cls: 'request' });
    addAttribute(m, codec, value as never);
    const d = decodeMessage(encodeMessage(m));
    expect(getAttribute(d, codec)).toEqual(value);
    expect(describeAttributes(d)[0]!.name).toBe(codec.name);
  });

  it('XOR-PEER-ADDRESS is XOR-ed like XOR-MAPPED-ADDRESS (RFC 8656 §18.3)', () => {
    const m = createMessage({ cls: 'request', transactionId: new Uint8Array(12) });
    addAttribute(m, XorPeerAddress, { address: '192.0.2.1', port: 0x2112 });
    expect(m.attributes[0]!.type).toBe(ATTR.XOR_PEER_ADDRESS);
    // port 0x2112 ^ 0x2112 = 0; address 192.0.2.1 ^ 0x2112a442
    expect(Buffer.from(m.attributes[0]!.value).toString('hex')).toBe('00010000e112a643');
  });
});
