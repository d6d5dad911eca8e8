import type { MonitorEvent } from '../../../../shared/contracts/monitor.ts';
import { Badge, type Tone } from '../../components/Tone.tsx';
import type { TimeRange } from './Timeline.tsx';

const TONE: Record<MonitorEvent['severity'], Tone> = { info: 'info', warning: 'warning', problem: 'problem' };
const SHOWN = 200;

/** The events in the zoomed range, newest first, each with before → after and its advice. */
export function EventList({ events, range }: { events: MonitorEvent[]; range: TimeRange | null }) {
  const inRange = range
    ? events.filter((e) => {
        const t = Date.parse(e.at);
        return t >= range.from && t <= range.to;
      })
    : events;
  const shown = [...inRange].reverse().slice(0, SHOWN);
  return (
    <section aria-label="Events">
      <h2>
        Events{' '}
        <span className="muted small">
          {inRange.length}
          {range ? ' in the zoomed range' : ''}
          {inRange.length > SHOWN ? ` (the newest ${SHOWN} shown)` : ''}
        </span>
      </h2>
      {shown.length === 0 && <p className="muted">No events: nothing changed between intervals.</p>}
      <ul className="event-list" data-testid="monitor-events">
        {shown.map((e) => (
          <li key={`${e.seq}-${e.kind}-${e.at}`} className="event-item">
            <details>
              <summary>
                <span className="mono small">{new Date(e.at).toLocaleString()}</span>{' '}
                <Badge tone={TONE[e.severity]}>{e.severity}</Badge> <strong>{e.title}</strong>
              </summary>
              <p className="small">
                <code>{e.kind}</code> · before <span className="mono">{String(e.before ?? '—')}</span> → after{' '}
                <span className="mono">{String(e.after ?? '—')}</span>
                {e.findingId ? (
                  <>
                    {' '}
                    · advice of the <code>{e.findingId}</code> finding
                  </>
                ) : null}
              </p>
              <ul>
                {e.advice.map((a) => (
                  <li key={a}>{a}</li>
                ))}
              </ul>
              <details className="raw-log">
                <summary>Evidence</summary>
                <pre>{JSON.stringify(e.evidence, null, 2)}</pre>
              </details>
            </details>
          </li>
        ))}
      </ul>
    </section>
  );
}
