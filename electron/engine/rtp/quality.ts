/**
 * Turns raw session statistics into what the contract reports: the E-model (ITU-T G.107, via
 * shared/model/emodel-path.ts) with the inputs we fed it, and the burst ratio of the observed loss
 * (G.107 §7.5: BurstR = 1 / (p + q) for a two-state Markov loss model, p = P(lost | received
 * before), q = P(received | lost before)).
 */
import type { EModelSummary, RtpStats } from '../../../shared/contracts/call.ts';
import { emodelSummary } from '../../../shared/model/emodel-path.ts';
import type { G711Law } from './g711.ts';
import type { RtpSessionStats } from './rtp-session.ts';

export function burstRatio(received: number, lost: number, lossEvents: number): number {
  if (lost <= 0 || received <= 0 || lossEvents <= 0) return 1;
  const p = lossEvents / received;
  const q = lossEvents / lost;
  return Math.max(1, 1 / (p + q));
}

export function emodelFor(s: RtpSessionStats, codec: G711Law): EModelSummary | null {
  if (s.received === 0) return null;
  // Network figures only: the cross-checked network RTT (never an echo service's deliberate delay,
  // never an RTCP figure that disagrees with the packets). The mouth-to-ear estimate and the
  // G.711 inputs are shared with the WebRTC echo (shared/model/emodel-path.ts).
  return emodelSummary({
    rttMs: s.rttMs,
    jitterMs: s.jitterMs,
    lossPercent: s.lossPercent,
    burstRatio: burstRatio(s.received, s.lost, s.lossBursts),
    codec,
  });
}

export function toRtpStats(s: RtpSessionStats, codec: G711Law): RtpStats {
  const em = emodelFor(s, codec);
  return {
    elapsedSec: round(s.elapsedMs / 1000, 1),
    sent: s.sent,
    received: s.received,
    lossPercent: round(s.lossPercent, 2),
    lossBasis: s.reflected ? 'round-trip-split' : 'return-stream',
    streamLossPercent: round(s.streamLossPercent, 2),
    roundTripLossPercent: s.roundTripLossPercent === null ? null : round(s.roundTripLossPercent, 2),
    remoteReportedLossPercent:
      s.remoteReportedLossPercent === null ? null : round(s.remoteReportedLossPercent, 2),
    duplicates: s.duplicates,
    reordered: s.reordered,
    jitterMs: s.jitterMs === null ? null : round(s.jitterMs, 2),
    rttMs: s.rttMs === null ? null : round(s.rttMs, 1),
    rttSource: s.rttSource,
    rttAgreement: s.rttAgreement,
    rttDisagreement: s.rttNote,
    rtcpRttMs: s.rtcpRttMs === null ? null : round(s.rtcpRttMs, 1),
    echoRttMs: s.echoRttMs === null ? null : round(s.echoRttMs, 1),
    audioLatencyMs: s.audioLatencyMs === null ? null : round(s.audioLatencyMs, 1),
    echoDelayMs: s.echoDelayMs === null ? null : round(s.echoDelayMs, 1),
    expectedEchoDelayMs: s.expectedEchoDelayMs,
    mos: em?.mos ?? null,
    emodel: em,
    rtcpSent: s.rtcpSent,
    rtcpReceived: s.rtcpReceived,
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
