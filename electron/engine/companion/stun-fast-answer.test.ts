// The fast STUN answer (issue #19) gives the very bytes of the general path (decodeMessage →
// answerBinding → RFC 3489 additions and PADDING → fitStunAnswer → encodeMessage), over thousands of
// generated requests: RFC 5389 and RFC 3489, every known attribute, malformed and hostile ones,
// IPv4 and IPv6 sources, one or two server addresses. What it leaves to the general path is only
// what it says it leaves.
import { describe, expect, it } from 'vitest';
import { ATTR, MAGIC_COOKIE } from '../stun/constants.ts';
import { createMessage, encodeMessage, type StunAttribute } from '../stun/message.ts';
import { FALLBACK, OVER_BUDGET, StunFastAnswer } from './stun-fast-answer.ts';
import { generalStunAnswer, MAX_STUN_REQUEST_BYTES } from './stun-server.ts';

let seed = 5;
const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n) | 0;
const bytes = (n: number) => Uint8Array.from({ length: n }, () => rand(256));
const u32 = (v: number) => Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);

function attribute(): StunAttribute {
  switch (rand(12)) {
    case 0:
      return { type: ATTR.CHANGE_REQUEST, value: u32([0, 2, 4, 6][rand(4)]!) };
    case 1:
      return { type: ATTR.CHANGE_REQUEST, value: bytes([0, 2, 8][rand(3)]!) }; // malformed
    case 2:
      return {
        type: ATTR.RESPONSE_PORT,
        value: Uint8Array.of(rand(256), rand(256), 0, 0).subarray(0, 2 + 2 * rand(2)),
      };
    case 3:
      return { type: ATTR.RESPONSE_PORT, value: Uint8Array.of(0, 0, 0, 0) }; // port 0
    case 4:
    case 5:
      return { type: ATTR.PADDING, value: new Uint8Array(rand(2) ? rand(64) : rand(700)) };
    case 6:
      return { type: ATTR.USERNAME, value: bytes(rand(40)) };
    case 7:
      return { type: ATTR.SOFTWARE, value: bytes(rand(30)) };
    case 8:
      return { type: 0x8055, value: bytes(rand(12)) }; // unknown, comprehension-optional
    case 9:
      return { type: 0x0033, value: bytes(4) }; // unknown, comprehension-required: 420
    case 10:
      return { type: ATTR.MESSAGE_INTEGRITY, value: bytes(20) };
    default:
      return { type: ATTR.RESPONSE_ADDRESS, value: bytes(8) }; // refused: 420
  }
}

function request(): Uint8Array {
  const classic = rand(4) === 0;
  const msg = createMessage({
    cls: 'request',
    cookie: classic ? (rand(0x7fffffff) * 2 + 1) >>> 0 : MAGIC_COOKIE,
    attributes: Array.from({ length: rand(4) }, attribute),
  });
  let b = encodeMessage(msg, { fingerprint: rand(3) === 0 });
  switch (rand(14)) {
    case 0:
      b[0] = 0x00;
      b[1] = [0x11, 0x03, 0x01][rand(3)]!; // indication, Allocate request, Binding request again
      break;
    case 1:
      b = Uint8Array.from([...b, ...bytes(4)]); // bytes after the message
      break;
    case 2:
      if (b.length > 24) b[20 + rand(b.length - 20)]! ^= 1 << rand(8); // a flipped bit (FINGERPRINT, framing…)
      break;
    case 3:
      if (b.length > 24) b[22] = rand(256); // an attribute length that overruns
      break;
  }
  return b;
}

const CLIENTS = [
  () => `${rand(256)}.${rand(256)}.${rand(256)}.${rand(256)}`,
  () => `2001:db8:${rand(0x10000).toString(16)}::${rand(0x10000).toString(16)}`,
  () => `2001:${Array.from({ length: 7 }, () => rand(0x10000).toString(16)).join(':')}`,
  () => '::1',
  () => `::ffff:192.0.2.${rand(256)}`,
  () => 'fe80::1%lo',
];
const SERVERS: [string[], [number, number]][] = [
  [
    ['203.0.113.10', '198.51.100.10'],
    [3478, 3479],
  ],
  [['203.0.113.10'], [3478, 3479]],
  [
    ['2001:db8::10', '2001:db8::11'],
    [3478, 3479],
  ],
];

describe('StunFastAnswer: the same bytes as the general path', () => {
  it('over 15 000 generated requests', () => {
    const counts = { fast: 0, overBudget: 0, fallback: 0 };
    for (const [ips, ports] of SERVERS) {
      const fast = new StunFastAnswer({
        ips,
        ports,
        software: 'NatScope companion 1',
        maxRequestBytes: MAX_STUN_REQUEST_BYTES,
        amplification: 3,
      });
      for (let k = 0; k < 5_000; k++) {
        const req = request();
        const from = { address: CLIENTS[rand(CLIENTS.length)]!(), port: 1 + rand(65535) };
        const slot = { ip: (ips.length === 2 ? rand(2) : 0) as 0 | 1, port: rand(2) as 0 | 1 };
        const general = generalStunAnswer(req, from, slot, ips, ports);
        const n = fast.answer(req, from.address, from.port, slot.ip, slot.port);
        const what = `request ${Buffer.from(req).toString('hex')} from ${from.address}`;
        if (n === FALLBACK) {
          counts.fallback++;
          continue;
        }
        if (n === OVER_BUDGET) {
          counts.overBudget++;
          expect(general, what).toMatchObject({ drop: 'answer over 3x' });
          continue;
        }
        counts.fast++;
        if (!('answer' in general) || !general.answer)
          throw new Error(`general path did not answer: ${what}`);
        expect(Buffer.from(fast.out.subarray(0, n)).toString('hex'), what).toBe(
          Buffer.from(general.answer).toString('hex'),
        );
        expect([fast.fromIp, fast.fromPort, fast.toPort], what).toEqual([
          general.from.ip,
          general.from.port,
          general.to.port,
        ]);
      }
    }
    // the fast path takes most ordinary traffic and leaves the rest (an answer over 3x cannot happen
    // for a well-formed request: the required address fits in 3x the 20-byte header)
    expect(counts.fast).toBeGreaterThan(5_000);
    expect(counts.fallback).toBeGreaterThan(1_500);
  });

  it('a bare 20-byte request: 56 bytes with OTHER-ADDRESS and RESPONSE-ORIGIN (3x), as documented', () => {
    const fast = new StunFastAnswer({
      ips: ['203.0.113.10', '198.51.100.10'],
      ports: [3478, 3479],
      software: 'NatScope companion 1',
      maxRequestBytes: MAX_STUN_REQUEST_BYTES,
      amplification: 3,
    });
    const req = encodeMessage(createMessage({ cls: 'request' }));
    expect(fast.answer(req, '192.0.2.7', 4000, 0, 0)).toBe(56);
    expect([fast.fromIp, fast.fromPort, fast.toPort]).toEqual([0, 0, 4000]);
  });
});
