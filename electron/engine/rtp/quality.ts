/**
 * Turns raw session statistics into what the contract reports: the E-model (ITU-T G.107, via
 * shared/model/emodel.ts) with the inputs we fed it, and the burst ratio of the observed loss
 * (G.107 §7.5: BurstR = 1 / (p + q) for a two-state Markov loss model, p = P(lost | received
 * before), q = P(received | lost before)).
 */
import type { EModelSummary, RtpStats } from '../../../shared/contracts/call.ts';
import { computeEModel, emodelInputsForPath } from '../../../shared/model/emodel.ts';
import type { G711Law } from './g711.ts';
import type { RtpSessionStats } from './rtp-session.ts';
import { FRAME_MS } from './test-signal.ts';

export function burstRatio(received: number, lost: number, lossEvents: number): number {
  if (lost <= 0 || received <= 0 || lossEvents <= 0) return 1;
  const p = lossEvents / received;
  const q = lossEvents / lost;
  return Math.max(1, 1 / (p + q));
}

export function emodelFor(s: RtpSessionStats, codec: G711Law): EModelSummary | null {
  if (s.received === 0) return null;
  // Network figures only: the cross-checked network RTT (never an echo service's deliberate delay,
  // never an RTCP figure that disagrees with the packets), 0 when unknown.
  const rtt = s.rttMs ?? 0;
  const jitter = s.jitterMs ?? 0;
  // Mouth-to-ear estimate: half the RTT + one frame of packetization + a jitter buffer of 2×jitter.
  const Ta = rtt / 2 + FRAME_MS + 2 * jitter;
  const BurstR = burstRatio(s.received, s.lost, s.lossBursts);
  const inputs = emodelInputsForPath({
    oneWayDelayMs: Ta,
    lossPercent: s.lossPercent,
    burstRatio: BurstR,
    codec,
    plc: true,
  });
  const r = computeEModel(inputs);
  return {
    R: round(r.R, 1),
    mos: round(r.MOS, 2),
    inputs: {
      Ta: round(inputs.Ta!, 1),
      rttMs: s.rttMs === null ? null : round(s.rttMs, 1),
      T: round(inputs.T!, 1),
      Tr: round(inputs.Tr!, 1),
      Ppl: round(inputs.Ppl!, 2),
      BurstR: round(inputs.BurstR!, 2),
      Ie: inputs.Ie!,
      Bpl: inputs.Bpl!,
      codec,
    },
    Ro: round(r.Ro, 2),
    Is: round(r.Is, 2),
    Id: round(r.Id, 2),
    IeEff: round(r.IeEff, 2),
  };
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
