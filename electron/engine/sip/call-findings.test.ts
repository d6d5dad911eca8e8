import { describe, expect, it } from 'vitest';
import type { RtpSessionStats } from '../rtp/rtp-session.ts';
import { callFindings, isOneWayAudio, type CallObservations } from './call-findings.ts';

function stats(o: Partial<RtpSessionStats> = {}): RtpSessionStats {
  return {
    elapsedMs: 10_000,
    sent: 500,
    sentSettled: 450,
    received: 500,
    expected: 500,
    streamLossPercent: 0,
    reflected: false,
    lossPercent: 0,
    roundTripLossPercent: 0,
    duplicates: 0,
    reordered: 0,
    lossBursts: 0,
    lost: 0,
    jitterMs: 1,
    rttMs: 1,
    rttSource: 'rtcp',
    rttAgreement: 'agree',
    rttNote: null,
    rtcpRttMs: 1,
    echoRttMs: null,
    audioLatencyMs: 25,
    echoDelayMs: 24,
    expectedEchoDelayMs: 0,
    sendingMs: 10_000,
    heldMs: 0,
    markersMatched: 10,
    remoteReportedLossPercent: 0,
    remoteReportedJitterMs: 0,
    rtcpSent: 5,
    rtcpReceived: 3,
    rtcpEchoed: 0,
    firstRtpAfterMs: 5,
    expectedRemote: '203.0.113.10:6000',
    expectedRemotes: ['203.0.113.10:6000'],
    sources: [{ endpoint: '203.0.113.10:6000', packets: 500 }],
    sourceMismatch: false,
    nonRtpPackets: 0,
    ...o,
  };
}
const obs = (media: RtpSessionStats, o: Partial<CallObservations> = {}): CallObservations => ({
  advertise: 'local',
  localSip: '192.0.2.1:5060',
  localAddress: '192.0.2.1',
  contactAddress: '192.0.2.1',
  viaReceived: null,
  sdpAdvertisedAddress: '192.0.2.1',
  okRetransmissions: 0,
  answered: true,
  remoteByeEarly: null,
  media,
  mediaSec: media.sendingMs / 1000,
  signallingPeer: '203.0.113.10',
  ...o,
});
const codes = (o: CallObservations) => callFindings(o).map((f) => f.code);

describe('call findings', () => {
  it('one-way audio waits for the expected echo delay plus a margin, counting only time spent sending', () => {
    const silent = { received: 0, sources: [], markersMatched: 0 };
    expect(isOneWayAudio(stats({ ...silent, sendingMs: 3000 }), 3)).toBe(true);
    expect(isOneWayAudio(stats({ ...silent, sendingMs: 6000, expectedEchoDelayMs: 5000 }), 6)).toBe(false);
    expect(isOneWayAudio(stats({ ...silent, sendingMs: 7000, expectedEchoDelayMs: 5000 }), 7)).toBe(true);
    // held for 8 of 10 s: 2 s of sending is not enough evidence
    expect(isOneWayAudio(stats({ ...silent, sendingMs: 2000, heldMs: 8000 }), 10)).toBe(false);
  });

  it('a test shorter than the echo delay says so instead of blaming the network', () => {
    const m = stats({
      received: 0,
      sources: [],
      markersMatched: 0,
      sendingMs: 3000,
      expectedEchoDelayMs: 5000,
    });
    const c = codes(obs(m));
    expect(c).toContain('test-shorter-than-echo-delay');
    expect(c).not.toContain('one-way-audio');
    expect(callFindings(obs(m)).find((f) => f.code === 'test-shorter-than-echo-delay')?.message).toMatch(
      /shorter than the echo delay \(5\.0 s\).*at least 7 s/,
    );
  });

  it('a delayed echo is explained as the echo’s own delay, not high latency', () => {
    const c = codes(obs(stats({ audioLatencyMs: 5004, echoDelayMs: 5003 })));
    expect(c).toContain('echo-delay');
    expect(c).not.toContain('high-latency');
  });

  it('RTP from another address of the SIP peer on the SDP port: multi-homed, not a NAT', () => {
    const m = stats({
      expectedRemote: '198.51.100.10:7100',
      expectedRemotes: ['198.51.100.10:7100'],
      sources: [{ endpoint: '203.0.113.10:7100', packets: 150 }],
      sourceMismatch: true,
    });
    expect(codes(obs(m))).toEqual(expect.arrayContaining(['rtp-other-address']));
    expect(codes(obs(m))).not.toContain('rtp-source-mismatch');
    // another port, or an address we never exchanged SIP with: a NAT / relay in front of the far end
    expect(codes(obs(m, { signallingPeer: '203.0.113.99' }))).toContain('rtp-source-mismatch');
    const port = stats({ ...m, sources: [{ endpoint: '203.0.113.10:40000', packets: 150 }] });
    expect(codes(obs(port))).toContain('rtp-source-mismatch');
  });

  it('RTT sources that disagree are reported as such', () => {
    const note = 'RTCP says 1990 ms but our echoed packets took 0.4 ms: RTCP not used (…).';
    const f = callFindings(obs(stats({ rttAgreement: 'disagree', rttNote: note })));
    expect(f.find((x) => x.code === 'rtt-sources-disagree')?.message).toBe(note);
  });
});
