// @vitest-environment jsdom
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { RtpStats } from '../../../../shared/contracts/call.ts';
import { RttSources } from './RttSources.tsx';

const base: RtpStats = {
  elapsedSec: 10,
  sent: 500,
  received: 500,
  lossPercent: 0,
  lossBasis: 'round-trip-split',
  streamLossPercent: 0,
  roundTripLossPercent: 0,
  remoteReportedLossPercent: 0,
  duplicates: 0,
  reordered: 0,
  jitterMs: 0.5,
  rttMs: 0.4,
  rttSource: 'echoed-packets',
  rttAgreement: 'agree',
  rttDisagreement: null,
  rtcpRttMs: 1.2,
  echoRttMs: 0.4,
  audioLatencyMs: 0.7,
  echoDelayMs: 0.3,
  expectedEchoDelayMs: 0,
  mos: 4.39,
  emodel: null,
  rtcpSent: 5,
  rtcpReceived: 3,
};

afterEach(cleanup);

describe('RttSources', () => {
  it('names the source and that the others agree', () => {
    render(<RttSources stats={base} />);
    expect(screen.getByTestId('echo-rtt-sources').textContent).toContain(
      'Round trip 0.4 ms from our echoed packets; RTCP 1.2 ms, audio markers 0.7 ms agree.',
    );
    expect(screen.queryByTestId('echo-rtt-disagreement')).toBeNull();
  });

  it('shows a disagreement, and a delayed echo’s own delay apart from the network', () => {
    const note = 'RTCP says 1990 ms but our echoed packets took 0.4 ms: RTCP not used.';
    render(
      <RttSources
        stats={{
          ...base,
          rttAgreement: 'disagree',
          rttDisagreement: note,
          audioLatencyMs: 5004,
          echoDelayMs: 5003.6,
        }}
      />,
    );
    expect(screen.getByTestId('echo-rtt-disagreement').textContent).toBe(note);
    expect(screen.getByTestId('echo-rtt-sources').textContent).toContain(
      'holds the audio 5.00 s (a delayed echo)',
    );
  });

  it('says unknown when no source can separate the network from the echo', () => {
    render(<RttSources stats={{ ...base, rttMs: null, rttSource: null, rttAgreement: 'single-source' }} />);
    expect(screen.getByTestId('echo-rtt-sources').textContent).toContain('Network round trip unknown');
  });
});
