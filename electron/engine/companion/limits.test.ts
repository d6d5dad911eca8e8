import { describe, expect, it } from 'vitest';
import { ManualClock } from '../sip/test-fakes.ts';
import { createRateLimiter } from './rate-limiter.ts';
import { SipStreamFramer } from './sip-framer.ts';
import { fromLatin1, buildReflectResponse, decodeReflectBody } from '../../../shared/model/alg-reflect.ts';
import { parseSipText } from '../../../shared/model/alg-sip.ts';
import { compareSip } from '../../../shared/model/alg-compare.ts';
import { analyzeReflection } from '../../../shared/model/alg-analyze.ts';
import { jsonLogger } from './logger.ts';

describe('rate limiter', () => {
  it('token bucket per source: burst, refill, bounded table', () => {
    const clock = new ManualClock();
    const rl = createRateLimiter(clock, { ratePerSec: 10, burst: 5, maxSources: 3 });
    expect(Array.from({ length: 7 }, () => rl.allow('a')).filter(Boolean).length).toBe(5);
    clock.advance(200); // 2 tokens
    expect([rl.allow('a'), rl.allow('a'), rl.allow('a')]).toEqual([true, true, false]);
    expect(rl.allow('b')).toBe(true);
    for (const k of ['c', 'd', 'e', 'f']) rl.allow(k);
    expect(rl.size).toBe(3);
    expect(rl.refused).toBe(3);
  });
});

describe('SIP stream framer', () => {
  const msg = 'OPTIONS sip:a SIP/2.0\r\nContent-Length: 5\r\n\r\nhello';
  it('frames split and coalesced messages, reports keep-alives', () => {
    const f = new SipStreamFramer();
    const all = fromLatin1(`\r\n\r\n${msg}${msg}`);
    const evs = [...f.push(all.subarray(0, 30)), ...f.push(all.subarray(30))];
    expect(evs.map((e) => e.kind)).toEqual(['keepalive', 'message', 'message']);
  });
  it('refuses missing Content-Length, oversize header or body', () => {
    expect(new SipStreamFramer().push(fromLatin1('OPTIONS sip:a SIP/2.0\r\n\r\n'))[0]!.kind).toBe('error');
    expect(
      new SipStreamFramer().push(fromLatin1('OPTIONS sip:a SIP/2.0\r\nl: 999999\r\n\r\n'))[0]!.kind,
    ).toBe('error');
    const f = new SipStreamFramer({ maxHeaderBytes: 100, maxBodyBytes: 100 });
    expect(f.push(fromLatin1('X'.repeat(200)))[0]!.kind).toBe('error');
    expect(f.push(fromLatin1(msg))).toEqual([]); // stays failed
  });
});

describe('logger', () => {
  it('redacts Authorization and secret-named fields', () => {
    const lines: string[] = [];
    const l = jsonLogger((x) => lines.push(x));
    l.log('info', 'x', {
      text: 'REGISTER sip:a SIP/2.0\r\nAuthorization: Digest response="abc"\r\n',
      password: 'p',
      nested: { token: 't' },
    });
    expect(lines[0]).not.toContain('abc');
    expect(JSON.parse(lines[0]!)).toMatchObject({ password: '[redacted]', nested: { token: '[redacted]' } });
  });
});

describe('parsers under random input (fuzz)', () => {
  it('20 000 random/mutated inputs: no throw, bounded output', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const base =
      'INVITE sip:x@y SIP/2.0\r\nVia: SIP/2.0/UDP 1.2.3.4:5060;rport\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: 1@2\r\nCSeq: 1 INVITE\r\nContact: <sip:a@1.2.3.4>\r\nContent-Type: application/sdp\r\nContent-Length: 30\r\n\r\nv=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 1 RTP/AVP 0\r\n';
    const alphabet = ':;<>@\r\n =/\\"[],0123456789abcSIP';
    for (let i = 0; i < 20_000; i++) {
      let s = base.split('');
      for (let k = 0; k < 1 + Math.floor(rand() * 10); k++) {
        const pos = Math.floor(rand() * s.length);
        const op = rand();
        if (op < 0.4) s[pos] = alphabet[Math.floor(rand() * alphabet.length)]!;
        else if (op < 0.7) s.splice(pos, Math.floor(rand() * 20));
        else s.splice(pos, 0, String.fromCharCode(Math.floor(rand() * 256)));
      }
      if (i % 5 === 0)
        s = Array.from({ length: Math.floor(rand() * 300) }, () =>
          String.fromCharCode(Math.floor(rand() * 256)),
        );
      const text = s.join('');
      const m = parseSipText(text);
      if (m) {
        const r = buildReflectResponse(m, {
          transport: 'UDP',
          source: { address: '1.2.3.4', port: 1 },
          destination: { address: '5.6.7.8', port: 2 },
          received: fromLatin1(text),
        });
        if (r) {
          expect(decodeReflectBody(parseSipText(r)!.body)).not.toBeNull();
          analyzeReflection(base, r);
        }
      }
      compareSip(base, text);
      new SipStreamFramer().push(fromLatin1(text));
    }
  }, 30_000);
});
