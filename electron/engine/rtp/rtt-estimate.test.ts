import { describe, expect, it } from 'vitest';
import { estimateRtt, type RttInputs } from './rtt-estimate.ts';

const base: RttInputs = { rtcp: [], echoedPacketsMs: null, audioMarkersMs: null, expectedEchoDelayMs: 0 };

describe('estimateRtt: cross-checked RTT', () => {
  it('companion with DLSR 0 (issue #12 defect 1): RTCP 1990 ms vs echoed 0.4 ms → echoed, disagreement said', () => {
    const e = estimateRtt({
      ...base,
      rtcp: [{ rttMs: 1990, dlsrZero: true }],
      echoedPacketsMs: 0.4,
      audioMarkersMs: 0.7,
    });
    expect(e).toMatchObject({ rttMs: 0.4, source: 'echoed-packets', agreement: 'disagree' });
    expect(e.note).toMatch(/RTCP says 1990 ms .* DLSR 0/);
    expect(e.echoDelayMs).toBeCloseTo(0.3, 5);
  });

  it('RTCP implausible against the audio round trip and nothing else: RTCP discarded, markers used', () => {
    const e = estimateRtt({ ...base, rtcp: [{ rttMs: 976, dlsrZero: true }], audioMarkersMs: 0.7 });
    expect(e).toMatchObject({
      rttMs: 0.7,
      source: 'audio-markers',
      agreement: 'disagree',
      echoDelayMs: null,
    });
  });

  it('sources that agree within 5 ms / 20 %: agree, no note', () => {
    const e = estimateRtt({
      ...base,
      rtcp: [{ rttMs: 81, dlsrZero: false }],
      echoedPacketsMs: 80.4,
      audioMarkersMs: 82,
    });
    expect(e).toMatchObject({ rttMs: 80.4, source: 'echoed-packets', agreement: 'agree', note: null });
  });

  it('a real DLSR (baresip): RTCP is the network RTT, the markers minus it is the echo’s own delay', () => {
    const e = estimateRtt({ ...base, rtcp: [{ rttMs: 1.2, dlsrZero: false }], audioMarkersMs: 5004 });
    expect(e).toMatchObject({ rttMs: 1.2, source: 'rtcp', agreement: 'agree' });
    expect(e.echoDelayMs).toBeCloseTo(5002.8, 5);
  });

  it('delayed echo with markers only (FreeSWITCH 9195: no RTCP, own stream): network RTT unknown, never 5 s', () => {
    for (const expectedEchoDelayMs of [5000, 0]) {
      const e = estimateRtt({ ...base, audioMarkersMs: 5023, expectedEchoDelayMs });
      expect(e.rttMs).toBeNull();
      expect(e.source).toBeNull();
      expect(e.echoDelayMs).toBe(5023);
      expect(e.note).toMatch(/on purpose/);
    }
  });

  it('markers alone on a plain echo are the RTT estimate (single source)', () => {
    expect(estimateRtt({ ...base, audioMarkersMs: 42 })).toMatchObject({
      rttMs: 42,
      source: 'audio-markers',
      agreement: 'single-source',
    });
  });

  it('RTCP with DLSR 0 and nothing to check it against: unknown, said so', () => {
    const e = estimateRtt({ ...base, rtcp: [{ rttMs: 900, dlsrZero: true }] });
    expect(e).toMatchObject({ rttMs: null, agreement: 'disagree' });
    expect(e.note).toMatch(/RTT unknown/);
  });

  it('prefers samples with a real DLSR over DLSR-0 ones', () => {
    const e = estimateRtt({
      ...base,
      rtcp: [
        { rttMs: 2000, dlsrZero: true },
        { rttMs: 30, dlsrZero: false },
        { rttMs: 31, dlsrZero: false },
      ],
    });
    expect(e).toMatchObject({ rttMs: 31, source: 'rtcp', agreement: 'single-source' });
  });

  it('nothing measured: none', () => {
    expect(estimateRtt(base)).toMatchObject({
      rttMs: null,
      source: null,
      agreement: 'none',
      echoDelayMs: null,
    });
  });
});
