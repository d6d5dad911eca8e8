import { Badge, type Tone } from './Tone.tsx';

const SEVERITY_TONE: Record<string, Tone> = {
  ok: 'ok',
  info: 'info',
  warning: 'warning',
  problem: 'problem',
};

const NOTICE_CLASS: Record<string, string> = { ok: 'ok', problem: 'problem', warning: 'warning' };

/** A finding inside a step: its severity (a word, not only a colour), its title and its advice. */
export function FindingNotice({
  f,
  testId,
}: {
  f: { severity: string; title: string; advice: readonly string[] };
  testId?: string;
}) {
  return (
    <div className={`notice ${NOTICE_CLASS[f.severity] ?? ''}`.trim()} data-testid={testId}>
      <Badge tone={SEVERITY_TONE[f.severity] ?? 'unknown'}>{f.severity}</Badge> <strong>{f.title}</strong>
      <ul className="small">
        {f.advice.map((a, i) => (
          <li key={i}>{a}</li>
        ))}
      </ul>
    </div>
  );
}
