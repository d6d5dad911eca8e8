/**
 * What "good enough for a call" means per metric. Loss and jitter follow the usual VoIP budgets
 * (G.711 without PLC degrades audibly above 1 % loss; jitter above 30 ms overruns typical jitter
 * buffers); RTT < 150 ms is the ITU-T G.114 one-way budget for unimpaired conversation applied to
 * the measured round trip, the stricter reading.
 */
export interface Threshold {
  key: 'lossPercent' | 'jitterMs' | 'rttMs';
  label: string;
  unit: string;
  /** The value must be strictly below this to pass. */
  below: number;
  digits: number;
}

export const THRESHOLDS: Threshold[] = [
  { key: 'lossPercent', label: 'Packet loss', unit: '%', below: 1, digits: 1 },
  { key: 'jitterMs', label: 'Jitter', unit: 'ms', below: 30, digits: 1 },
  { key: 'rttMs', label: 'Round trip (RTT)', unit: 'ms', below: 150, digits: 0 },
];

export type Verdict = 'pass' | 'fail' | 'unknown';

/** The threshold figures of a SIP echo (RtpStats) or a WebRTC echo sample. */
export type ThresholdStats = { [K in Threshold['key']]: number | null };

export function judge(t: Threshold, stats: ThresholdStats | null): Verdict {
  const v = stats?.[t.key];
  if (v === null || v === undefined || !Number.isFinite(v)) return 'unknown';
  return v < t.below ? 'pass' : 'fail';
}

/**
 * MOS bands from the E-model's user-satisfaction classes (ITU-T G.107 Annex B / G.109 Table 1):
 * R 90/80/70/60/50 ↔ MOS 4.34/4.03/3.60/3.10/2.58.
 */
export interface MosBand {
  from: number;
  to: number;
  label: string;
  tone: 'ok' | 'warning' | 'problem';
}

export const MOS_BANDS: MosBand[] = [
  { from: 1, to: 2.58, label: 'nearly all users dissatisfied', tone: 'problem' },
  { from: 2.58, to: 3.1, label: 'many users dissatisfied', tone: 'problem' },
  { from: 3.1, to: 3.6, label: 'some users dissatisfied', tone: 'warning' },
  { from: 3.6, to: 4.03, label: 'users satisfied', tone: 'ok' },
  { from: 4.03, to: 4.34, label: 'users satisfied (high)', tone: 'ok' },
  { from: 4.34, to: 4.5, label: 'users very satisfied', tone: 'ok' },
];

export function mosBand(mos: number): MosBand {
  return MOS_BANDS.find((b) => mos < b.to) ?? MOS_BANDS.at(-1)!;
}
