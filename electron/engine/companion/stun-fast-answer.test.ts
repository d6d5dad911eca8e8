// The fast STUN answer (issue #19) gives the very bytes of the general path (decodeMessage →
// answerBinding → RFC 3489 additions and PADDING → fitStunAnswer → encodeMessage), over thousands of
// generated requests: RFC 5389 and RFC 3489, every known attribute, malformed and hostile ones,
// IPv4 and IPv6 sources, one or two server addresses. What it leaves to the general path is only
// what it says it leaves.
import { describe, expect, it } from 'vitest';
import { createMessage, encodeMessage } from '../stun/message.ts';
import { ipToBytes } from '../stun/ip.ts';
import { FALLBACK, OVER_BUDGET, StunFastAnswer } from './stun-fast-answer.ts';
import { generalStunAnswer, MAX_STUN_REQUEST_BYTES } from './stun-server.ts';
import { rand, request } from './testing/stun-requests.ts';

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
        // the batched sockets' form (address as bytes) gives the same answer
        const fastBytes = Buffer.from(fast.out.subarray(0, n)).toString('hex');
        const ipBytes = ipToBytes(from.address.replace(/%.*$/, ''));
        expect(
          fast.answerBytes(req, ipBytes, 0, ipBytes.length as 4 | 16, from.port, slot.ip, slot.port),
          what,
        ).toBe(n);
        expect(Buffer.from(fast.out.subarray(0, n)).toString('hex'), what).toBe(fastBytes);
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
