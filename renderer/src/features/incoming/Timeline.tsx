import { useEffect, useState } from 'react';
import { Badge } from '../../components/Tone.tsx';
import { isFinal, rowTone, rowWord, type Timeline as TimelineData, type TimelineRow } from './timeline.ts';

/**
 * The live timeline of the parallel registrations: one track per idle time (and keep-alive run),
 * drawn to the same time scale. The shaded part is the silence asked for, the bar grows with the
 * clock and turns green when the call arrives or red when it does not; keep-alive runs show a tick
 * at every keep-alive. Words as well as colours say the state (never colour alone).
 */
export function Timeline({
  timeline,
  startedAt,
  running,
}: {
  timeline: TimelineData;
  startedAt: number;
  running: boolean;
}) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, [running]);
  const elapsed = Math.max(0, now - startedAt);
  const scale = Math.max(
    timeline.expectedDurationMs ?? 0,
    ...timeline.rows.map((r) => (r.idleSeconds + 5) * 1000),
    1,
  );
  const pct = (ms: number) => `${Math.min(100, (ms / scale) * 100).toFixed(2)}%`;
  return (
    <div className="incoming-timeline" data-testid="incoming-timeline">
      <ol aria-label="Registrations, one per idle time">
        {timeline.rows.map((r) => (
          <Row key={r.id} r={r} elapsed={elapsed} pct={pct} />
        ))}
      </ol>
      {running && timeline.expectedDurationMs !== null && (
        <p className="muted small" role="status">
          {Math.round(elapsed / 1000)} s of about {Math.round(timeline.expectedDurationMs / 1000)} s
        </p>
      )}
    </div>
  );
}

function Row({ r, elapsed, pct }: { r: TimelineRow; elapsed: number; pct: (ms: number) => string }) {
  const tone = rowTone(r);
  const until = isFinal(r.state) ? (r.resolvedAtMs ?? elapsed) : elapsed;
  const ticks =
    r.keepAliveSeconds === null
      ? []
      : Array.from(
          { length: Math.floor(r.idleSeconds / r.keepAliveSeconds) },
          (_, i) => (i + 1) * r.keepAliveSeconds!,
        );
  const label =
    r.keepAliveSeconds === null
      ? `idle ${r.idleSeconds} s`
      : `idle ${r.idleSeconds} s, keep-alive every ${r.keepAliveSeconds} s`;
  return (
    <li className={`tl-row tl-${tone}`} data-testid={`tl-${r.id}`} data-state={r.state}>
      <span className="tl-label">{label}</span>
      <span className="tl-track" aria-hidden="true">
        <span className="tl-silence" style={{ width: pct(r.idleSeconds * 1000) }} />
        <span className="tl-fill" style={{ width: pct(until) }} />
        {ticks.map((s) => (
          <span key={s} className="tl-tick" style={{ left: pct(s * 1000) }} />
        ))}
      </span>
      <span className="tl-state">
        <Badge tone={tone}>{rowWord(r)}</Badge>
        {r.detail && <span className="muted small"> {r.detail}</span>}
      </span>
    </li>
  );
}
