import type { RtpStats } from '../../../../shared/contracts/call.ts';

const SOURCE: Record<NonNullable<RtpStats['rttSource']>, string> = {
  'echoed-packets': 'our echoed packets',
  rtcp: 'RTCP',
  'audio-markers': 'the audio markers',
};

const ms = (x: number | null) => (x === null ? null : `${x < 10 ? x.toFixed(1) : Math.round(x)} ms`);

/**
 * Where the RTT comes from and whether its sources agree (engine/rtp/rtt-estimate.ts): the figure is
 * only as good as its evidence, so the user sees the evidence and any disagreement, and the echo
 * service's own delay apart from the network's.
 */
export function RttSources({ stats: s }: { stats: RtpStats }) {
  const others = [
    s.rttSource !== 'rtcp' && s.rtcpRttMs !== null ? `RTCP ${ms(s.rtcpRttMs)}` : null,
    s.rttSource !== 'echoed-packets' && s.echoRttMs !== null ? `echoed packets ${ms(s.echoRttMs)}` : null,
    s.rttSource !== 'audio-markers' && s.audioLatencyMs !== null
      ? `audio markers ${ms(s.audioLatencyMs)}`
      : null,
  ].filter((x): x is string => x !== null);
  return (
    <div data-testid="echo-rtt-sources">
      <p className="muted small">
        {s.rttMs !== null && s.rttSource
          ? `Round trip ${ms(s.rttMs)} from ${SOURCE[s.rttSource]}`
          : 'Network round trip unknown'}
        {others.length > 0 && s.rttAgreement === 'agree' ? `; ${others.join(', ')} agree` : ''}
        {others.length > 0 && s.rttAgreement !== 'agree' && s.rttDisagreement === null
          ? `; also ${others.join(', ')}`
          : ''}
        .
        {s.echoDelayMs !== null && s.echoDelayMs >= 1000
          ? ` The echo service itself holds the audio ${(s.echoDelayMs / 1000).toFixed(2)} s (a delayed echo): not network delay.`
          : ''}
      </p>
      {s.rttDisagreement && (
        <div className="notice warning small" data-testid="echo-rtt-disagreement">
          {s.rttDisagreement}
        </div>
      )}
    </div>
  );
}
