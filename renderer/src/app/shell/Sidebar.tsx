import { reportLights } from '../../../../shared/model/report/report.ts';
import type { Severity } from '../../../../shared/model/diagnosis/findings.ts';
import type { StepDef, StepMark } from '../registry.ts';
import type { SessionSnapshot } from '../session/store.ts';
import { useRegistry } from '../registry-context.tsx';
import { useSession } from '../session/session-context.tsx';
import { useNavigation } from '../navigation.tsx';

const RANK: Record<Severity, number> = { problem: 0, warning: 1, info: 2, ok: 3 };

/** A step's sidebar mark: running, else the worst light of its areas, else a failed run, else none. */
export function stepMark(step: StepDef, s: SessionSnapshot): StepMark | 'failed' {
  const custom = step.mark?.(s);
  if (custom !== undefined) return custom;
  const keys = step.runKeys ?? [step.id];
  if (keys.some((k) => s.runs[k]?.status === 'running')) return 'running';
  if (step.areas && s.report) {
    const lights = reportLights(s.report);
    const marks = step.areas.map((a) => lights[a]).filter((l): l is Severity => l !== undefined);
    if (marks.length) return marks.sort((a, b) => RANK[a] - RANK[b])[0]!;
  }
  if (keys.some((k) => s.runs[k]?.status === 'failed')) return 'failed';
  return null;
}

const MARK_TEXT: Record<NonNullable<StepMark> | 'failed', { glyph: string; word: string }> = {
  running: { glyph: '…', word: 'running' },
  ok: { glyph: '✓', word: 'done, fine' },
  info: { glyph: '✓', word: 'done' },
  warning: { glyph: '!', word: 'done, needs attention' },
  problem: { glyph: '✕', word: 'done, problem found' },
  failed: { glyph: '?', word: 'could not run' },
};

export function Sidebar() {
  const { steps } = useRegistry();
  const session = useSession();
  const { current, go } = useNavigation();
  return (
    <nav className="steps" aria-label="Steps">
      <ol>
        {steps.map((s, i) => {
          const mark = stepMark(s, session);
          return (
            <li key={s.id}>
              <button
                type="button"
                className={s.id === current ? 'step current' : 'step'}
                aria-current={s.id === current ? 'step' : undefined}
                onClick={() => go(s.id)}
                data-testid={`nav-${s.id}`}
                data-mark={mark ?? 'none'}
              >
                <span className="step-num" aria-hidden="true">
                  {i + 1}
                </span>
                <span className="step-text">
                  <span className="step-title">{s.title}</span>
                  <span className="step-summary">{s.summary}</span>
                </span>
                {mark && (
                  <span className={`step-mark mark-${mark}`}>
                    <span aria-hidden="true">{MARK_TEXT[mark].glyph}</span>
                    <span className="visually-hidden">({MARK_TEXT[mark].word})</span>
                  </span>
                )}
              </button>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
