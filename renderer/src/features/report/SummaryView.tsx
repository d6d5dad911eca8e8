import type { Area, Severity } from '../../../../shared/model/diagnosis/findings.ts';
import { AREA_TITLE } from '../../../../shared/model/report/markdown.ts';
import { Badge, type Tone } from '../../components/Tone.tsx';
import { reportLights, type Report } from '../../../../shared/model/report/report.ts';

const TONE: Record<Severity, Tone> = { ok: 'ok', info: 'info', warning: 'warning', problem: 'problem' };
const WORD: Record<Severity, string> = { ok: 'Fine', info: 'Note', warning: 'Attention', problem: 'Problem' };

/** Traffic-light line per area, a "what to do next" list, then every finding with its evidence. */
export function SummaryView({ report }: { report: Report }) {
  const lights = reportLights(report);
  const todo = report.findings.filter((f) => f.severity === 'problem' || f.severity === 'warning');
  return (
    <>
      <div className="lights" data-testid="report-lights">
        {(Object.keys(AREA_TITLE) as Area[]).map((a) => (
          <div key={a} className={`light ${lights[a] ?? 'none'}`}>
            <span
              className={`dot ${lights[a] ? { ok: 'green', info: 'blue', warning: 'amber', problem: 'red' }[lights[a]!] : ''}`}
            />{' '}
            <strong>{AREA_TITLE[a]}</strong>
            <div className="muted small">{lights[a] ? WORD[lights[a]!] : 'not checked'}</div>
          </div>
        ))}
      </div>
      {report.steps.some((s) => s.status !== 'done') && (
        <ul className="muted small">
          {report.steps
            .filter((s) => s.status !== 'done')
            .map((s) => (
              <li key={s.id}>
                Step <strong>{s.id}</strong> {s.status}
                {s.reason ? `: ${s.reason}` : ''}
              </li>
            ))}
        </ul>
      )}
      {todo.length > 0 && (
        <>
          <h2>What to do next</h2>
          <ol data-testid="report-todo">
            {todo.map((f) => (
              <li key={f.id}>
                <strong>{f.title}</strong> — {f.advice[0]}
              </li>
            ))}
          </ol>
        </>
      )}
      <h2>Findings</h2>
      {report.findings.length === 0 && (
        <p className="muted">No findings yet: run some steps, or “Check my connection”.</p>
      )}
      {report.findings.map((f) => (
        <details key={f.id} className={`finding-card ${f.severity}`} data-testid={`finding-${f.id}`}>
          <summary>
            <Badge tone={TONE[f.severity]}>{f.severity}</Badge> <strong>{f.title}</strong>{' '}
            <code className="muted">{f.id}</code>
          </summary>
          {Object.keys(f.evidence).length > 0 && (
            <table className="data small">
              <tbody>
                {Object.entries(f.evidence).map(([k, v]) => (
                  <tr key={k}>
                    <th>{k}</th>
                    <td className="mono">{String(v ?? '—')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <ul>
            {f.advice.map((a) => (
              <li key={a}>{a}</li>
            ))}
          </ul>
          {f.references.length > 0 && (
            <p className="small">
              {f.references.map((r) => (
                <a key={r.title} href={r.url} target="_blank" rel="noreferrer">
                  {r.title}
                </a>
              ))}
            </p>
          )}
        </details>
      ))}
    </>
  );
}
