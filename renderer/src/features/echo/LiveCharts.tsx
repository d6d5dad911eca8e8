import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { RtpStats } from '../../../../shared/contracts/call.ts';

interface Series {
  key: 'jitterMs' | 'lossPercent' | 'rttMs' | 'mos';
  label: string;
  unit: string;
  color: string;
  domain?: [number, number];
}

const SERIES: Series[] = [
  { key: 'jitterMs', label: 'Jitter', unit: 'ms', color: '#2563eb' },
  { key: 'lossPercent', label: 'Loss', unit: '%', color: '#b42318' },
  { key: 'rttMs', label: 'RTT', unit: 'ms', color: '#7c3aed' },
  { key: 'mos', label: 'MOS', unit: '', color: '#0f7b45', domain: [1, 4.5] },
];

const fmt = (v: number | null | undefined, digits = 1) =>
  v === null || v === undefined ? '—' : v.toFixed(digits);

/** Live audio stats: one small chart per metric, with the current value beside it (≈1 update/s). */
export function LiveCharts({ samples }: { samples: RtpStats[] }) {
  const data = samples.map((s) => ({
    t: Math.round(s.elapsedSec),
    jitterMs: s.jitterMs,
    lossPercent: s.lossPercent,
    rttMs: s.rttMs,
    mos: s.mos,
  }));
  const last = samples.at(-1);
  return (
    <div className="charts" data-testid="echo-charts">
      {SERIES.map((s) => (
        <div className="chart-card" key={s.key}>
          <div className="chart-head">
            <span className="card-label">{s.label}</span>
            <span className="chart-now" data-testid={`echo-now-${s.key}`}>
              {fmt(last?.[s.key], s.key === 'mos' ? 2 : 1)} {s.unit}
            </span>
          </div>
          <ResponsiveContainer width="100%" height={120}>
            <LineChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: -18 }}>
              <CartesianGrid stroke="#eef1f4" />
              <XAxis dataKey="t" tick={{ fontSize: 10 }} unit="s" />
              <YAxis tick={{ fontSize: 10 }} domain={s.domain ?? [0, 'auto']} />
              <Tooltip formatter={(v) => `${fmt(Number(v), 2)} ${s.unit}`} labelFormatter={(t) => `${t} s`} />
              <Line
                type="monotone"
                dataKey={s.key}
                stroke={s.color}
                dot={false}
                isAnimationActive={false}
                connectNulls
              />
            </LineChart>
          </ResponsiveContainer>
        </div>
      ))}
    </div>
  );
}
