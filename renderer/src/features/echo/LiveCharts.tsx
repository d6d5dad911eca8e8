import { memo } from 'react';
import {
  CartesianGrid,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { THRESHOLDS } from './quality.ts';

interface Series {
  key: 'jitterMs' | 'lossPercent' | 'rttMs' | 'mos';
  label: string;
  unit: string;
  color: string;
  domain?: [number, number];
  digits: number;
}

const SERIES: Series[] = [
  { key: 'jitterMs', label: 'Jitter', unit: 'ms', color: '#3b82f6', digits: 1 },
  { key: 'lossPercent', label: 'Loss', unit: '%', color: '#e5484d', digits: 1 },
  { key: 'rttMs', label: 'RTT', unit: 'ms', color: '#8b5cf6', digits: 0 },
  { key: 'mos', label: 'MOS', unit: '', color: '#12a150', domain: [1, 4.5], digits: 2 },
];

const fmt = (v: number | null | undefined, digits: number) =>
  v === null || v === undefined ? '—' : v.toFixed(digits);

/** A sentence a screen reader can read instead of the chart: range, latest value, threshold. */
function describe(s: Series, values: (number | null)[], seconds: number): string {
  const known = values.filter((v): v is number => v !== null);
  const threshold = THRESHOLDS.find((t) => t.key === s.key);
  if (known.length === 0) return `${s.label}: no values yet.`;
  const last = known.at(-1)!;
  return `${s.label} over ${seconds} s: now ${fmt(last, s.digits)} ${s.unit}, min ${fmt(Math.min(...known), s.digits)}, max ${fmt(Math.max(...known), s.digits)}${threshold ? `; threshold below ${threshold.below} ${threshold.unit}` : ''}.`;
}

/** A chart point: the SIP echo's RtpStats, or the WebRTC echo's samples (features/webrtc). */
export interface ChartSample {
  elapsedSec: number;
  jitterMs: number | null;
  lossPercent: number | null;
  rttMs: number | null;
  mos: number | null;
}

/**
 * Live audio stats, one small chart per metric (≈1 point per second). Straight segments between
 * the measured points: a smoothed curve would draw overshoots that were never measured.
 */
export const LiveCharts = memo(function LiveCharts({ samples }: { samples: ChartSample[] }) {
  const data = samples.map((s) => ({
    t: Math.round(s.elapsedSec),
    jitterMs: s.jitterMs,
    lossPercent: s.lossPercent,
    rttMs: s.rttMs,
    mos: s.mos,
  }));
  const last = samples.at(-1);
  const seconds = data.at(-1)?.t ?? 0;
  return (
    <div className="charts" data-testid="echo-charts">
      {SERIES.map((s) => {
        const threshold = THRESHOLDS.find((t) => t.key === s.key);
        return (
          <figure className="chart-card" key={s.key}>
            <div className="chart-head">
              <span className="card-label">{s.label}</span>
              <span className="chart-now" data-testid={`echo-now-${s.key}`}>
                {fmt(last?.[s.key], s.digits)} {s.unit}
              </span>
            </div>
            <div
              role="img"
              aria-label={describe(
                s,
                data.map((d) => d[s.key]),
                seconds,
              )}
            >
              <ResponsiveContainer width="100%" height={96}>
                <LineChart data={data} margin={{ top: 4, right: 6, bottom: 0, left: -22 }}>
                  <CartesianGrid className="chart-grid" />
                  <XAxis dataKey="t" tick={{ fontSize: 10 }} unit="s" />
                  <YAxis tick={{ fontSize: 10 }} domain={s.domain ?? [0, 'auto']} />
                  {threshold && (
                    <ReferenceLine y={threshold.below} className="chart-threshold" strokeDasharray="4 3" />
                  )}
                  <Tooltip
                    formatter={(v) => `${fmt(Number(v), s.digits)} ${s.unit}`}
                    labelFormatter={(t) => `${t} s`}
                  />
                  <Line
                    type="linear"
                    dataKey={s.key}
                    stroke={s.color}
                    strokeWidth={2}
                    dot={{ r: 1.5 }}
                    isAnimationActive={false}
                    connectNulls={false}
                  />
                </LineChart>
              </ResponsiveContainer>
            </div>
          </figure>
        );
      })}
      <details className="chart-data">
        <summary>The numbers ({data.length} samples)</summary>
        <table className="data small" aria-label="Call statistics per second">
          <thead>
            <tr>
              <th>t (s)</th>
              <th>Jitter (ms)</th>
              <th>Loss (%)</th>
              <th>RTT (ms)</th>
              <th>MOS</th>
            </tr>
          </thead>
          <tbody>
            {data.map((d, i) => (
              <tr key={i}>
                <td>{d.t}</td>
                <td>{fmt(d.jitterMs, 1)}</td>
                <td>{fmt(d.lossPercent, 1)}</td>
                <td>{fmt(d.rttMs, 0)}</td>
                <td>{fmt(d.mos, 2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </div>
  );
});
