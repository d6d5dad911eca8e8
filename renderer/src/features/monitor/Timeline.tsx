import { useMemo, useState } from 'react';
import {
  Brush,
  CartesianGrid,
  ComposedChart,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { MonitorEvent, TimelinePoint } from '../../../../shared/contracts/monitor.ts';

const SEVERITY_STROKE: Record<MonitorEvent['severity'], string> = {
  info: '#3b82f6',
  warning: '#d08700',
  problem: '#e5484d',
};

/** "19:05:12" over short spans, "19:05" over hours, "12-01 19:05" over days. */
function timeFormatter(spanMs: number) {
  return (t: number) => {
    const d = new Date(t);
    const two = (n: number) => String(n).padStart(2, '0');
    const hm = `${two(d.getHours())}:${two(d.getMinutes())}`;
    if (spanMs > 86_400_000) return `${two(d.getMonth() + 1)}-${two(d.getDate())} ${hm}`;
    return spanMs < 1_800_000 ? `${hm}:${two(d.getSeconds())}` : hm;
  };
}

const fmt = (v: unknown, digits: number) => (typeof v === 'number' ? v.toFixed(digits) : '—');

export interface TimeRange {
  from: number;
  to: number;
}

/**
 * The monitor's timeline: loss and round-trip time on one chart, MOS of the echo calls below, a
 * dashed marker per event on both. The brush under the first chart zooms both and the event list
 * (`onRange`). Merged points (long histories) carry the worst value of the intervals they stand for.
 */
export function Timeline({
  points,
  events,
  onRange,
}: {
  points: TimelinePoint[];
  events: MonitorEvent[];
  onRange(range: TimeRange | null): void;
}) {
  const data = useMemo(
    () => points.map((p) => ({ t: p.t, loss: p.lossPercent, rtt: p.rttMs, mos: p.mos, n: p.n })),
    [points],
  );
  const [zoom, setZoom] = useState<{ start: number; end: number } | null>(null);
  const visible = zoom ? data.slice(zoom.start, zoom.end + 1) : data;
  const from = visible[0]?.t ?? 0;
  const to = visible.at(-1)?.t ?? 0;
  const tick = timeFormatter(to - from);
  const markers = events.map((e) => ({ t: Date.parse(e.at), e }));
  const lines = (yAxisId?: string) =>
    markers.map(({ t, e }) => (
      <ReferenceLine
        key={`${e.seq}-${e.kind}-${t}`}
        x={t}
        yAxisId={yAxisId}
        stroke={SEVERITY_STROKE[e.severity]}
        strokeDasharray="4 3"
        ifOverflow="hidden"
      />
    ));
  // Both charts share one time axis; the brush zooms the first by index, the second follows by domain.
  const timeAxis = (domain: [number | string, number | string]) => (
    <XAxis
      dataKey="t"
      type="number"
      scale="time"
      domain={domain}
      tickFormatter={tick}
      tick={{ fontSize: 10 }}
    />
  );
  const description = `Timeline from ${tick(data[0]?.t ?? 0)} to ${tick(data.at(-1)?.t ?? 0)}: ${data.length} points, worst loss ${fmt(Math.max(0, ...data.map((d) => d.loss ?? 0)), 1)} %, ${events.length} events.`;
  if (data.length === 0) return <p className="muted">No intervals yet.</p>;
  return (
    <div className="timeline" data-testid="monitor-timeline">
      <figure className="chart-card" role="img" aria-label={description}>
        <div className="chart-head">
          <span className="card-label">Loss % (red) and round-trip time ms (purple)</span>
          <span className="muted small">drag the handles below to zoom</span>
        </div>
        <ResponsiveContainer width="100%" height={220}>
          <ComposedChart data={data} margin={{ top: 6, right: 8, bottom: 0, left: -14 }}>
            <CartesianGrid className="chart-grid" />
            {timeAxis(['dataMin', 'dataMax'])}
            <YAxis yAxisId="loss" tick={{ fontSize: 10 }} domain={[0, 'auto']} unit="%" />
            <YAxis yAxisId="rtt" orientation="right" tick={{ fontSize: 10 }} domain={[0, 'auto']} />
            <Tooltip
              labelFormatter={(t) => new Date(Number(t)).toLocaleString()}
              formatter={(v, name) => [
                fmt(v, name === 'loss' ? 1 : 0),
                name === 'loss' ? 'loss %' : 'RTT ms',
              ]}
            />
            <Line
              yAxisId="loss"
              type="linear"
              dataKey="loss"
              stroke="#e5484d"
              dot={false}
              isAnimationActive={false}
            />
            <Line
              yAxisId="rtt"
              type="linear"
              dataKey="rtt"
              stroke="#8b5cf6"
              dot={false}
              isAnimationActive={false}
            />
            {lines('loss')}
            <Brush
              dataKey="t"
              height={22}
              tickFormatter={tick}
              startIndex={zoom?.start}
              endIndex={zoom?.end}
              onChange={(r) => {
                const start = r.startIndex ?? 0;
                const end = r.endIndex ?? data.length - 1;
                const whole = start === 0 && end === data.length - 1;
                setZoom(whole ? null : { start, end });
                onRange(whole ? null : { from: data[start]!.t, to: data[end]!.t });
              }}
            />
          </ComposedChart>
        </ResponsiveContainer>
      </figure>
      <figure className="chart-card" role="img" aria-label="MOS of the echo calls over the same time">
        <div className="chart-head">
          <span className="card-label">MOS of the echo calls (green)</span>
        </div>
        <ResponsiveContainer width="100%" height={110}>
          <LineChart data={visible} margin={{ top: 6, right: 8, bottom: 0, left: -14 }}>
            <CartesianGrid className="chart-grid" />
            {timeAxis([from, to])}
            <YAxis tick={{ fontSize: 10 }} domain={[1, 4.5]} />
            <Tooltip
              labelFormatter={(t) => new Date(Number(t)).toLocaleString()}
              formatter={(v) => [fmt(v, 2), 'MOS']}
            />
            <Line type="linear" dataKey="mos" stroke="#12a150" dot isAnimationActive={false} connectNulls />
            {lines()}
          </LineChart>
        </ResponsiveContainer>
      </figure>
    </div>
  );
}
