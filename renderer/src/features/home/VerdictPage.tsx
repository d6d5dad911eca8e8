import { useRegistry } from '../../app/registry-context.tsx';
import type { VerdictRow } from '../../app/registry.ts';
import { useNavigation } from '../../app/navigation.tsx';
import { useSession } from '../../app/session/session-context.tsx';
import { ToneDot, TONE_WORD } from '../../components/Tone.tsx';

/**
 * The verdict page: "what to do next" first (the report's problems and warnings, worst first), then
 * one row per area with its light, the verdict in words and the evidence behind it.
 */
export function VerdictPage() {
  const session = useSession();
  const { verdicts } = useRegistry();
  const { go } = useNavigation();
  const rows = verdicts.map((v) => ({ def: v, row: v.evaluate(session) }));
  if (rows.every(({ row }) => row.tone === 'not-checked' && row.evidence.length === 0)) return null;
  const todo = (session.report?.findings ?? []).filter(
    (f) => f.severity === 'problem' || f.severity === 'warning',
  );
  const anyRunning = rows.some(({ row }) => row.tone === 'running');
  return (
    <>
      <section aria-labelledby="todo-title" className="todo" data-testid="verdict-todo">
        <h2 id="todo-title">What to do next</h2>
        {todo.length > 0 ? (
          <ol>
            {todo.map((f) => (
              <li key={f.id}>
                <strong>{f.title}.</strong> {f.advice[0]}
              </li>
            ))}
          </ol>
        ) : (
          <p>
            {anyRunning
              ? 'Still checking…'
              : 'Nothing to fix from what was checked. If calls still fail, look at the areas marked “not checked” or “unknown”.'}
          </p>
        )}
      </section>
      <section aria-labelledby="verdict-title">
        <h2 id="verdict-title">By area</h2>
        <ul className="verdict-rows" data-testid="verdict-rows">
          {rows.map(({ def, row }) => (
            <li key={def.id} className={`verdict-row tone-${row.tone}`} data-testid={`verdict-${def.id}`}>
              <ToneDot tone={row.tone} />
              <div className="verdict-body">
                <div className="verdict-head">
                  <span className="verdict-area">{def.title}</span>
                  <span className="visually-hidden">: {TONE_WORD[row.tone]}.</span>{' '}
                  <strong className="verdict-headline" data-testid={`verdict-${def.id}-headline`}>
                    {row.headline}
                  </strong>
                </div>
                {row.detail && <p className="small">{row.detail}</p>}
                <Evidence row={row} />
              </div>
              {def.stepId && (
                <button type="button" className="link" onClick={() => go(def.stepId!)}>
                  Details<span className="visually-hidden"> about {def.title}</span> →
                </button>
              )}
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

function Evidence({ row }: { row: VerdictRow }) {
  const lines = row.evidence.filter(Boolean);
  if (lines.length === 0) return null;
  return (
    <ul className="evidence muted small" aria-label="Evidence">
      {lines.map((e, i) => (
        <li key={i}>{e}</li>
      ))}
    </ul>
  );
}
