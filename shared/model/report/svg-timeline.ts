/**
 * A dependency-free SVG time chart for the HTML report's monitor page: one metric over wall-clock
 * time (UTC), with a vertical marker per event (hover shows its title). No scripts, like the rest of
 * the report.
 */
export interface TimelineSeries {
  label: string;
  unit: string;
  color: string;
  points: { t: number; y: number | null }[];
  events: { t: number; color: string; title: string }[];
  /** Draw across intervals without a value (sparse series: the echo call every Nth interval). */
  connectGaps?: boolean;
}

const esc = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

const hhmm = (t: number) => new Date(t).toISOString().slice(11, 16);

export function timelineChart(s: TimelineSeries, width = 960, height = 150): string {
  const pad = { l: 42, r: 10, t: 22, b: 22 };
  const w = width - pad.l - pad.r;
  const h = height - pad.t - pad.b;
  const ts = [...s.points.map((p) => p.t), ...s.events.map((e) => e.t)];
  const t0 = Math.min(...ts);
  const t1 = Math.max(t0 + 1, ...ts);
  const ys = s.points.map((p) => p.y).filter((y): y is number => y !== null && Number.isFinite(y));
  const yMax = Math.max(1e-9, ...ys) * 1.15;
  const x = (t: number) => pad.l + ((t - t0) / (t1 - t0)) * w;
  const y = (v: number) => pad.t + h - (v / yMax) * h;
  // A gap (an interval without a value) breaks the line instead of bridging it.
  let d = '';
  let pen = false;
  for (const p of s.points) {
    if (p.y === null || !Number.isFinite(p.y)) {
      if (!s.connectGaps) pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.y).toFixed(1)} `;
    pen = true;
  }
  const grid = [0, yMax / 2, yMax].map(
    (v) =>
      `<text x="${pad.l - 4}" y="${y(v) + 4}" text-anchor="end" font-size="10" fill="#5d6b7e">${v >= 10 ? v.toFixed(0) : v.toFixed(1)}</text>` +
      `<line x1="${pad.l}" x2="${pad.l + w}" y1="${y(v)}" y2="${y(v)}" stroke="#eef1f4"/>`,
  );
  const markers = s.events.map(
    (e) =>
      `<line x1="${x(e.t).toFixed(1)}" x2="${x(e.t).toFixed(1)}" y1="${pad.t}" y2="${pad.t + h}" stroke="${e.color}" stroke-width="1.5" stroke-dasharray="3,2"><title>${esc(`${new Date(e.t).toISOString()} ${e.title}`)}</title></line>`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(s.label)} over time">`,
    `<text x="${pad.l}" y="14" font-size="12" font-weight="600" fill="#1b2330">${esc(s.label)}${s.unit ? ` (${esc(s.unit)})` : ''}</text>`,
    ...grid,
    `<line x1="${pad.l}" x2="${pad.l + w}" y1="${pad.t + h}" y2="${pad.t + h}" stroke="#dde3ea"/>`,
    ys.length
      ? `<path d="${d.trim()}" fill="none" stroke="${s.color}" stroke-width="1.5"/>`
      : `<text x="${pad.l + w / 2}" y="${pad.t + h / 2}" text-anchor="middle" font-size="11" fill="#5d6b7e">no data</text>`,
    // dots where values are few, so a lone measurement is visible
    ...(ys.length <= 60
      ? s.points
          .filter((p) => p.y !== null && Number.isFinite(p.y))
          .map(
            (p) => `<circle cx="${x(p.t).toFixed(1)}" cy="${y(p.y!).toFixed(1)}" r="2.5" fill="${s.color}"/>`,
          )
      : []),
    ...markers,
    `<text x="${pad.l}" y="${height - 5}" font-size="10" fill="#5d6b7e">${hhmm(t0)} UTC</text>`,
    `<text x="${pad.l + w}" y="${height - 5}" text-anchor="end" font-size="10" fill="#5d6b7e">${hhmm(t1)} UTC</text>`,
    '</svg>',
  ].join('');
}
