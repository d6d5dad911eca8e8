import { judge, MOS_BANDS, mosBand, THRESHOLDS, type ThresholdStats, type Verdict } from './quality.ts';

const MIN = 1;
const MAX = 4.5;
const CX = 90;
const CY = 86;
const R = 70;

/** Point on the gauge's half circle for a MOS value (left = 1, right = 4.5). */
function point(mos: number, radius = R): [number, number] {
  const f = (Math.min(MAX, Math.max(MIN, mos)) - MIN) / (MAX - MIN);
  const a = Math.PI * (1 - f);
  return [CX + radius * Math.cos(a), CY - radius * Math.sin(a)];
}

function arc(from: number, to: number): string {
  const [x1, y1] = point(from);
  const [x2, y2] = point(to);
  return `M ${x1.toFixed(1)} ${y1.toFixed(1)} A ${R} ${R} 0 0 1 ${x2.toFixed(1)} ${y2.toFixed(1)}`;
}

/** The MOS (E-model, G.107) on a half-circle gauge whose bands are the G.109 satisfaction classes. */
export function MosGauge({ mos }: { mos: number | null }) {
  const band = mos !== null ? mosBand(mos) : null;
  const label = mos !== null && band ? `MOS ${mos.toFixed(2)} of 4.5: ${band.label}` : 'MOS not measured yet';
  const needle = mos !== null ? point(mos, R - 14) : null;
  return (
    <figure className="mos-gauge" data-testid="mos-gauge">
      <svg viewBox="0 0 180 100" width="180" height="100" role="img" aria-label={label}>
        {MOS_BANDS.map((b) => (
          <path key={b.from} d={arc(b.from, b.to)} className={`band band-${b.tone}`} />
        ))}
        {needle && (
          <line x1={CX} y1={CY} x2={needle[0].toFixed(1)} y2={needle[1].toFixed(1)} className="needle" />
        )}
        <circle cx={CX} cy={CY} r="4" className="needle-hub" />
        <text x={CX} y={CY - 22} textAnchor="middle" className="gauge-value">
          {mos !== null ? mos.toFixed(2) : '—'}
        </text>
      </svg>
      <figcaption className="small">
        <strong>MOS</strong> {band ? `— ${band.label}` : ''}
      </figcaption>
    </figure>
  );
}

const VERDICT_TEXT: Record<Verdict, string> = { pass: 'pass', fail: 'fail', unknown: 'not measured' };

/** Each metric against its threshold, as pass / fail / not measured (never a colour alone). */
export function ThresholdTiles({ stats }: { stats: ThresholdStats | null }) {
  return (
    <ul className="thresholds" aria-label="Call quality thresholds" data-testid="echo-thresholds">
      {THRESHOLDS.map((t) => {
        const v = judge(t, stats);
        const value = stats?.[t.key];
        return (
          <li key={t.key} className={`threshold ${v}`} data-testid={`threshold-${t.key}`}>
            <span className="threshold-label">{t.label}</span>
            <span className="threshold-value mono">
              {value === null || value === undefined ? '—' : `${value.toFixed(t.digits)} ${t.unit}`}
            </span>
            <span className="threshold-verdict">
              <span aria-hidden="true">{v === 'pass' ? '✓' : v === 'fail' ? '✕' : '–'}</span>{' '}
              {VERDICT_TEXT[v]}{' '}
              <span className="muted">
                (&lt; {t.below} {t.unit})
              </span>
            </span>
          </li>
        );
      })}
    </ul>
  );
}
