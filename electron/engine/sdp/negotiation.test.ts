import { describe, expect, it } from 'vitest';
import { MediaNegotiation, sends } from './negotiation.ts';
import { parseAnswer, SdpError } from './sdp.ts';

const local = { address: '192.0.2.10', rtpPort: 16384, rtcpPort: 16385, sessionId: 42 };
const remote = (
  o: { pts?: string; dir?: string; addr?: string; port?: number; version?: number; extra?: string } = {},
) =>
  [
    'v=0',
    `o=pbx 1 ${o.version ?? 1} IN IP4 203.0.113.10`,
    's=-',
    `c=IN IP4 ${o.addr ?? '203.0.113.10'}`,
    't=0 0',
    `m=audio ${o.port ?? 6000} RTP/AVP ${o.pts ?? '0 8'}`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:96 opus/48000/2',
    'a=rtpmap:101 telephone-event/8000',
    ...(o.dir ? [`a=${o.dir}`] : []),
    ...(o.extra ? [o.extra] : []),
    '',
  ].join('\r\n');

describe('MediaNegotiation (RFC 3264)', () => {
  it('answers with only the formats the offer had (§6.1), with its payload type', () => {
    const n = new MediaNegotiation(local);
    n.offer();
    const { sdp, media } = n.answer(remote({ pts: '96 8', port: 7000 }));
    expect(sdp).toMatch(/^m=audio 16384 RTP\/AVP 8\r$/m);
    expect(sdp).not.toMatch(/rtpmap:0|rtpmap:101/);
    expect(media).toMatchObject({
      remoteRtpPort: 7000,
      codec: 'pcma',
      payloadType: 8,
      direction: 'sendrecv',
    });
  });

  it('keeps telephone-event when offered, and rejects other m= lines with port 0 (§6)', () => {
    const n = new MediaNegotiation(local);
    const { sdp } = n.answer(remote({ pts: '0 101', extra: 'm=video 5000 RTP/AVP 96' }));
    expect(sdp).toMatch(/^m=audio 16384 RTP\/AVP 0 101\r$/m);
    expect(sdp).toMatch(/^m=video 0 RTP\/AVP 96\r$/m);
  });

  it('hold and resume (§8.4): sendonly → recvonly (we stop sending), c=0.0.0.0 too, then sendrecv', () => {
    const n = new MediaNegotiation(local);
    const held = n.answer(remote({ dir: 'sendonly', version: 2 }));
    expect(parseAnswer(held.sdp).direction).toBe('recvonly');
    expect(sends(held.media.direction)).toBe(false);
    expect(sends(n.answer(remote({ addr: '0.0.0.0', version: 3 })).media.direction)).toBe(false);
    const inactive = n.answer(remote({ dir: 'inactive', version: 4 }));
    expect(parseAnswer(inactive.sdp).direction).toBe('inactive');
    const resumed = n.answer(remote({ dir: 'sendrecv', version: 5 }));
    expect(parseAnswer(resumed.sdp).direction).toBe('sendrecv');
    expect(sends(resumed.media.direction)).toBe(true);
  });

  it('an answer of recvonly lets us send only; sendonly means we only listen', () => {
    const n = new MediaNegotiation(local);
    n.offer();
    expect(n.takeAnswer(remote({ dir: 'recvonly' })).direction).toBe('sendonly');
    expect(n.takeAnswer(remote({ dir: 'sendonly' })).direction).toBe('recvonly');
  });

  it('o= version: the same description keeps its version (a refresh), a change increments it (§8)', () => {
    const n = new MediaNegotiation(local);
    const offer = n.offer();
    expect(parseAnswer(offer).origin).toEqual({ sessionId: '42', version: '1' });
    const a1 = n.answer(remote()).sdp; // answer lists 0 only: differs from the offer
    expect(parseAnswer(a1).origin?.version).toBe('2');
    expect(n.answer(remote()).sdp).toBe(a1); // session-timer refresh repeating the offer
    expect(parseAnswer(n.offer()).origin?.version).toBe('3'); // offerless re-INVITE: full offer again
  });

  it('an offer without PCMU or PCMA cannot be answered: the reason names what NatScope supports', () => {
    const n = new MediaNegotiation(local);
    expect(() => n.answer(remote({ pts: '96' }))).toThrow(SdpError);
    expect(() => n.answer(remote({ pts: '96' }))).toThrow(
      /offered: 96; NatScope supports PCMU \(0\) and PCMA \(8\)/,
    );
  });

  it('an answer that takes neither PCMU nor PCMA, or rejects audio, is unusable', () => {
    const n = new MediaNegotiation(local);
    n.offer();
    expect(() => n.takeAnswer(remote({ pts: '96' }))).toThrow(/neither PCMU nor PCMA/);
    expect(() => n.takeAnswer(remote({ port: 0 }))).toThrow(/rejected the audio/);
  });
});
