import { describe, expect, it } from 'vitest';
import { StreamFramer } from './stream-framing.ts';
import { redactSipMessage } from './redact.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const msg = (body: string) =>
  `SIP/2.0 200 OK\r\nCall-ID: a\r\nContent-Length: ${enc(body).length}\r\n\r\n${body}`;

describe('stream framing (RFC 3261 §18.3) and keep-alive (RFC 5626 §3.5.1)', () => {
  it('splits messages by Content-Length across arbitrary chunk boundaries', () => {
    const stream = enc(`\r\n\r\n${msg('v=0\r\nö')}${msg('')}\r\n`);
    for (const size of [1, 2, 7, 1000]) {
      const f = new StreamFramer();
      const out: string[] = [];
      let pings = 0;
      let pongs = 0;
      for (let i = 0; i < stream.length; i += size) {
        const r = f.push(stream.subarray(i, i + size));
        out.push(...r.messages);
        pings += r.pings;
        pongs += r.pongs;
      }
      expect(out).toEqual([msg('v=0\r\nö'), msg('')]);
      expect(pings).toBe(1);
      expect(pongs).toBeLessThanOrEqual(1);
    }
  });

  it('fails without Content-Length and on oversized headers', () => {
    expect(() => new StreamFramer().push(enc('OPTIONS sip:x SIP/2.0\r\nCall-ID: a\r\n\r\n'))).toThrow(
      /Content-Length/,
    );
    expect(() => new StreamFramer().push(new Uint8Array(70 * 1024).fill(65))).toThrow(/64 KiB/);
  });
});

describe('redaction', () => {
  it('replaces Authorization and Proxy-Authorization values, including folded lines', () => {
    const text =
      'REGISTER sip:x SIP/2.0\r\nAuthorization: Digest username="alice",\r\n  response="abc"\r\nproxy-authorization:Digest response="def"\r\nVia: SIP/2.0/UDP 1.2.3.4\r\n\r\n';
    const r = redactSipMessage(text);
    expect(r).toBe(
      'REGISTER sip:x SIP/2.0\r\nAuthorization: [redacted]\r\nproxy-authorization: [redacted]\r\nVia: SIP/2.0/UDP 1.2.3.4\r\n\r\n',
    );
  });
});

describe('pongs (RFC 5626 §4.4.1)', () => {
  it('a lone CRLF is held as half a ping, unless we have a ping outstanding', () => {
    expect(new StreamFramer().push(enc('\r\n'))).toMatchObject({ pings: 0, pongs: 0 });
    expect(new StreamFramer().push(enc('\r\n'), true)).toMatchObject({ pings: 0, pongs: 1 });
    const f = new StreamFramer();
    expect(f.push(enc('\r\n'))).toMatchObject({ pongs: 0 });
    expect(f.push(enc('\r\n'))).toMatchObject({ pings: 1, pongs: 0 });
  });
});
