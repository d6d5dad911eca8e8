import { describe, expect, it } from 'vitest';
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import { formatEndpoint } from '../../../shared/model/endpoint.ts';
import type { UdpSocket } from '../net/network.ts';
import { ManualClock } from '../sip/test-fakes.ts';
import { testSignalSource } from './audio-source.ts';
import { decodeRtp, encodeRtp } from './rtp-packet.ts';
import { RtpSession } from './rtp-session.ts';

/** A socket whose sends go to `route` (the test plays the far end) and which the test can feed. */
function socket(local: Endpoint, route: (data: Uint8Array, to: Endpoint) => void) {
  const listeners = new Set<(d: Uint8Array, from: Endpoint) => void>();
  const s: UdpSocket & { deliver(d: Uint8Array, from: Endpoint): void } = {
    local,
    send: async (data, to) => route(data, to),
    onMessage: (l) => (listeners.add(l), () => listeners.delete(l)),
    close: async () => {},
    deliver: (d, from) => listeners.forEach((l) => l(d, from)),
  };
  return s;
}

function setup(delayMs: number, rewriteSsrc: boolean) {
  const clock = new ManualClock();
  const sentTo: string[] = [];
  const far = { address: '10.0.0.1', port: 6000 };
  const rtp = socket({ address: '10.0.0.2', port: 4000 }, (data, to) => {
    sentTo.push(formatEndpoint(to));
    // The far end: an echo that returns each packet after `delayMs`, with its own SSRC if asked.
    const p = decodeRtp(data)!;
    const back = encodeRtp({ ...p, ssrc: rewriteSsrc ? 0xabcdef : p.ssrc });
    clock.setTimeout(() => rtp.deliver(back, to), delayMs);
  });
  const rtcp = socket({ address: '10.0.0.2', port: 4001 }, () => {});
  const session = new RtpSession({
    rtp,
    rtcp,
    clock,
    wallNow: () => 1_700_000_000_000 + clock.now(),
    law: 'pcmu',
    payloadType: 0,
    remoteRtp: far,
    remoteRtcp: { ...far, port: 6001 },
    source: testSignalSource,
  });
  return { clock, session, sentTo, far };
}

describe('RtpSession', () => {
  it('an echo that rewrites the SSRC but reflects our packets is still an echoed-packets RTT source', () => {
    const { clock, session } = setup(40, true);
    session.start();
    clock.advance(3000);
    const s = session.snapshot(0);
    expect(s.reflected).toBe(true);
    expect(s.echoRttMs).toBe(40);
    expect(s.rttSource).toBe('echoed-packets');
    expect(s.rttMs).toBe(40);
    expect(s.lossPercent).toBe(0);
  });

  it('retarget: RTP goes to the new address, received counts add up over both streams', () => {
    const { clock, session, sentTo, far } = setup(10, false);
    session.start();
    clock.advance(1000);
    const moved = { address: '10.0.0.9', port: 7000 };
    session.retarget({ remoteRtp: moved, remoteRtcp: { ...moved, port: 7001 }, payloadType: 8, law: 'pcma' });
    clock.advance(1000);
    const s = session.snapshot(0);
    expect(sentTo.filter((t) => t === formatEndpoint(moved)).length).toBeGreaterThanOrEqual(49);
    expect(sentTo.at(-1)).toBe(formatEndpoint(moved));
    expect(s.received).toBe(s.sent - 1); // the last packet's echo is still in flight
    expect(s.lost).toBe(0);
    expect(s.expectedRemote).toBe(formatEndpoint(moved));
    expect(s.expectedRemotes).toEqual([formatEndpoint(far), formatEndpoint(moved)]);
  });

  it('hold: nothing is sent while held, and the held time is counted apart', () => {
    const { clock, session } = setup(10, false);
    session.start();
    clock.advance(1000);
    const before = session.snapshot(0).sent;
    session.setSending(false);
    clock.advance(2000);
    expect(session.snapshot(0).sent).toBe(before);
    session.setSending(true);
    clock.advance(1000);
    const s = session.snapshot(0);
    expect(s.sent).toBeGreaterThanOrEqual(before + 49);
    expect(s.heldMs).toBe(2000);
    expect(s.sendingMs).toBe(2000);
  });
});
