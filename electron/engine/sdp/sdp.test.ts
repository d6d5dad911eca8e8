import { describe, expect, it } from 'vitest';
import { buildOffer, parseAnswer, SdpError } from './sdp.ts';

describe('SDP offer/answer (RFC 4566, RFC 3264)', () => {
  it('offers PCMU, PCMA and telephone-event with ptime 20 and an explicit RTCP port', () => {
    const o = buildOffer({ sessionId: 1, version: 1, address: '192.0.2.5', rtpPort: 16384, rtcpPort: 16385 });
    expect(o).toContain('c=IN IP4 192.0.2.5\r\n');
    expect(o).toContain('m=audio 16384 RTP/AVP 0 8 101\r\n');
    expect(o).toContain('a=rtpmap:101 telephone-event/8000\r\n');
    expect(o).toContain('a=ptime:20\r\n');
    expect(o).toContain('a=rtcp:16385\r\n');
    expect(parseAnswer(o)).toMatchObject({
      address: '192.0.2.5',
      rtpPort: 16384,
      rtcpPort: 16385,
      codec: 'pcmu',
      payloadType: 0,
      telephoneEventPt: 101,
    });
  });

  it("parses an answer: media c= overrides session c=, the answerer's codec order wins", () => {
    const a = parseAnswer(
      [
        'v=0',
        'o=- 1 1 IN IP4 198.51.100.1',
        's=-',
        'c=IN IP4 198.51.100.1',
        't=0 0',
        'm=audio 6000 RTP/AVP 8 0 101',
        'c=IN IP4 203.0.113.10',
        'a=rtpmap:8 PCMA/8000',
        'a=rtpmap:101 telephone-event/8000',
        'a=sendrecv',
        '',
      ].join('\r\n'),
    );
    expect(a).toMatchObject({
      address: '203.0.113.10',
      rtpPort: 6000,
      rtcpPort: 6001,
      codec: 'pcma',
      payloadType: 8,
      direction: 'sendrecv',
      rejected: false,
    });
  });

  it('static payload types need no rtpmap; a=rtcp with address; port 0 is a rejection', () => {
    const a = parseAnswer(
      'v=0\nc=IN IP4 10.0.0.1\nm=audio 0 RTP/AVP 0\na=rtcp:7001 IN IP4 10.0.0.2\na=recvonly\n',
    );
    expect(a).toMatchObject({
      codec: 'pcmu',
      rejected: true,
      rtcpPort: 7001,
      rtcpAddress: '10.0.0.2',
      direction: 'recvonly',
    });
  });

  it('reports errors for unusable SDP', () => {
    expect(() => parseAnswer('')).toThrow(SdpError);
    expect(() => parseAnswer('v=0\nm=video 5000 RTP/AVP 96\n')).toThrow(/no audio/);
    expect(() => parseAnswer('v=0\nm=audio 5000 RTP/AVP 0\n')).toThrow(/no c=/);
    expect(() => parseAnswer('v=0\nc=IN IP4 1.2.3.4\nm=audio 99999 RTP/AVP 0\n')).toThrow(/port/);
    expect(parseAnswer('v=0\nc=IN IP4 1.2.3.4\nm=audio 5000 RTP/AVP 18\n').codec).toBeNull();
  });

  it('fuzz: random mutations only ever throw SdpError', () => {
    const base = buildOffer({
      sessionId: 1,
      version: 1,
      address: '192.0.2.5',
      rtpPort: 16384,
      rtcpPort: 16385,
    });
    let seed = 7;
    const r = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const alphabet = 'v=0cmaIN IP4 RTP/AVP:\r\n0123456789 /.-';
    for (let i = 0; i < 20000; i++) {
      let s = base;
      const edits = 1 + Math.floor(r() * 5);
      for (let e = 0; e < edits; e++) {
        const pos = Math.floor(r() * s.length);
        const op = r();
        if (op < 0.4) s = s.slice(0, pos) + s.slice(pos + 1 + Math.floor(r() * 10));
        else if (op < 0.8) s = s.slice(0, pos) + alphabet[Math.floor(r() * alphabet.length)] + s.slice(pos);
        else s = s.slice(0, pos);
      }
      try {
        const a = parseAnswer(s);
        expect(a.rtpPort).toBeGreaterThanOrEqual(0);
        expect(a.rtpPort).toBeLessThanOrEqual(65535);
      } catch (err) {
        expect(err).toBeInstanceOf(SdpError);
      }
    }
  });
});
