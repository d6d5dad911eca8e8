// Fuzz tests for every parser the TURN work added: each TURN/RFC 8489 attribute decoder, whole STUN
// messages carrying them (mutated), ChannelData datagrams and the TCP stream framer. Seeded random
// bytes and mutations of valid encodings; every input must end in a value or the parser's own error
// type (StunError / ChannelDataError) — never a RangeError, a hang or another throw.
import { describe, expect, it } from 'vitest';
import { addAttribute, getAttribute, type AttributeCodec } from '../stun/attribute.ts';
import { ChannelNumber } from '../stun/attr-channel-number.ts';
import { Data, ReservationToken } from '../stun/attr-data.ts';
import { EvenPort, RequestedAddressFamily } from '../stun/attr-even-port.ts';
import { DontFragment } from '../stun/attr-flag.ts';
import { PasswordAlgorithm, PasswordAlgorithms } from '../stun/attr-password-algorithm.ts';
import { RequestedTransport } from '../stun/attr-requested-transport.ts';
import { ConnectionId, Lifetime } from '../stun/attr-uint32.ts';
import { UserHash } from '../stun/attr-userhash.ts';
import { XorPeerAddress, XorRelayedAddress } from '../stun/attr-xor-address.ts';
import { StunError } from '../stun/errors.ts';
import { createMessage, decodeMessage, encodeMessage, verifyIntegritySha256 } from '../stun/message.ts';
import { ChannelDataError, decodeChannelData, encodeChannelData } from './channel-data.ts';
import { TurnStreamFramer } from './stream-framer.ts';
import { prng } from '../testing/prng.ts';

const randomBytes = (rnd: () => number, n: number) =>
  Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256));
function mutate(src: Uint8Array, rnd: () => number): Uint8Array {
  const b = src.slice();
  const n = 1 + Math.floor(rnd() * 4);
  for (let i = 0; i < n && b.length; i++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
  const cut = rnd() < 0.3 ? Math.floor(rnd() * b.length) : b.length;
  return b.subarray(0, cut);
}
/** Runs f; only the listed error classes are acceptable outcomes. */
function survives(f: () => unknown, ...allowed: (new (...a: never[]) => Error)[]): void {
  try {
    f();
  } catch (err) {
    if (!allowed.some((c) => err instanceof c)) throw err;
  }
}

const CODECS: [AttributeCodec<never>, unknown][] = [
  [XorPeerAddress, { address: '198.51.100.7', port: 5000 }],
  [XorRelayedAddress, { address: '2001:db8::9', port: 49152 }],
  [Lifetime, 600],
  [ConnectionId, 7],
  [RequestedTransport, 17],
  [ChannelNumber, 0x4000],
  [Data, Uint8Array.of(1, 2, 3)],
  [ReservationToken, new Uint8Array(8)],
  [EvenPort, { reserveNext: true }],
  [RequestedAddressFamily, 4],
  [
    PasswordAlgorithms,
    [
      { algorithm: 2, parameters: new Uint8Array() },
      { algorithm: 1, parameters: Uint8Array.of(1, 2) },
    ],
  ],
  [PasswordAlgorithm, { algorithm: 2, parameters: new Uint8Array() }],
  [UserHash, new Uint8Array(32)],
  [DontFragment, true],
] as unknown as [AttributeCodec<never>, unknown][];

describe('fuzz: TURN attribute parsers', () => {
  it.each(CODECS.map(([c, v]) => [c.name, c, v] as const))(
    '%s survives random and mutated values',
    (_n, codec, value) => {
      const rnd = prng(codec.type);
      const good = createMessage({ cls: 'request' });
      addAttribute(good, codec, value as never);
      const valid = good.attributes[0]!.value;
      for (let i = 0; i < 2000; i++) {
        const v = i % 2 ? randomBytes(rnd, Math.floor(rnd() * 48)) : mutate(valid, rnd);
        const m = createMessage({ cls: 'success', attributes: [{ type: codec.type, value: v }] });
        survives(() => getAttribute(m, codec), StunError);
      }
    },
  );

  it('whole messages with TURN attributes and MESSAGE-INTEGRITY-SHA256 survive mutation', () => {
    const rnd = prng(42);
    const m = createMessage({ cls: 'success', method: 0x003 });
    for (const [c, v] of CODECS) addAttribute(m, c, v as never);
    const key = new Uint8Array(32).fill(3);
    const valid = encodeMessage(m, { integritySha256Key: key, fingerprint: true });
    expect(verifyIntegritySha256(decodeMessage(valid), key)).toBe(true);
    for (let i = 0; i < 3000; i++) {
      const b = mutate(valid, rnd);
      survives(() => {
        const d = decodeMessage(b);
        verifyIntegritySha256(d, key);
        for (const [c] of CODECS) survives(() => getAttribute(d, c), StunError);
      }, StunError);
    }
  });
});

describe('fuzz: ChannelData and the stream framer', () => {
  it('datagrams: random and mutated inputs end in data or ChannelDataError', () => {
    const rnd = prng(7);
    const valid = encodeChannelData(0x4123, randomBytes(rnd, 50), false);
    for (let i = 0; i < 5000; i++) {
      const b = i % 2 ? randomBytes(rnd, Math.floor(rnd() * 64)) : mutate(valid, rnd);
      survives(() => decodeChannelData(b), ChannelDataError);
    }
  });

  it('streams: random chunks never throw anything but ChannelDataError and never hold more than a message', () => {
    const rnd = prng(11);
    for (let run = 0; run < 300; run++) {
      const f = new TurnStreamFramer();
      survives(() => {
        for (let i = 0; i < 20; i++) {
          const chunk =
            rnd() < 0.5
              ? randomBytes(rnd, Math.floor(rnd() * 200))
              : mutate(encodeChannelData(0x4000, randomBytes(rnd, 30), true), rnd);
          f.push(chunk);
          expect(f.pending).toBeLessThanOrEqual(20 + 0xffff + 4);
        }
      }, ChannelDataError);
    }
  });
});
