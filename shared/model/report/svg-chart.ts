/**
 * A dependency-free SVG line chart for the self-contained HTML report (no scripts, so the file
 * renders anywhere, including mail clients and locked-down browsers).
 */
export interface ChartSeries {
  label: string;
  unit: string;
  color: string;
  points: { x: number; y: number | null }[];
}

const esc = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export function lineChart(series: ChartSeries, width = 320, height = 140): string {
  const pts = series.points.filter(
    (p): p is { x: number; y: number } => p.y !== null && Number.isFinite(p.y),
  );
  const pad = { l: 38, r: 8, t: 22, b: 20 };
  const w = width - pad.l - pad.r;
  const h = height - pad.t - pad.b;
  const xs = pts.map((p) => p.x);
  const ys = pts.map((p) => p.y);
  const xMin = Math.min(0, ...xs);
  const xMax = Math.max(1, ...xs);
  const yMax = Math.max(1e-9, ...ys) * 1.15;
  const sx = (x: number) => pad.l + ((x - xMin) / (xMax - xMin)) * w;
  const sy = (y: number) => pad.t + h - (y / yMax) * h;
  const path = pts.map((p, i) => `${i ? 'L' : 'M'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
  const last = pts.at(-1);
  const ticks = [0, yMax / 2, yMax].map(
    (v) =>
      `<text x="${pad.l - 4}" y="${sy(v) + 4}" text-anchor="end" font-size="10" fill="#5d6b7e">${v >= 10 ? v.toFixed(0) : v.toFixed(1)}</text>` +
      `<line x1="${pad.l}" x2="${pad.l + w}" y1="${sy(v)}" y2="${sy(v)}" stroke="#eef1f4"/>`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(series.label)} chart">`,
    `<text x="${pad.l}" y="14" font-size="12" font-weight="600" fill="#1b2330">${esc(series.label)}${last ? ` — ${last.y.toFixed(2)} ${esc(series.unit)}` : ''}</text>`,
    ...ticks,
    `<line x1="${pad.l}" x2="${pad.l + w}" y1="${pad.t + h}" y2="${pad.t + h}" stroke="#dde3ea"/>`,
    pts.length
      ? `<path d="${path}" fill="none" stroke="${series.color}" stroke-width="2"/>`
      : `<text x="${pad.l + w / 2}" y="${pad.t + h / 2}" text-anchor="middle" font-size="11" fill="#5d6b7e">no data</text>`,
    `<text x="${pad.l + w}" y="${height - 4}" text-anchor="end" font-size="10" fill="#5d6b7e">${xMax.toFixed(0)} s</text>`,
    '</svg>',
  ].join('');
}
