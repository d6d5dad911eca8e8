/** Small shared UI atoms: a coloured status badge and a status dot for per-test progress. */
export type Tone = 'ok' | 'info' | 'warning' | 'problem' | 'unknown' | 'running';

const TONE_CLASS: Record<Tone, string> = {
  ok: 'green',
  info: 'blue',
  warning: 'amber',
  problem: 'red',
  unknown: 'grey',
  running: 'blue',
};

export function Badge({ tone, children }: { tone: Tone; children: React.ReactNode }) {
  return <span className={`badge ${TONE_CLASS[tone]}`}>{children}</span>;
}

export function Dot({ tone }: { tone: Tone }) {
  return (
    <span className={`dot ${TONE_CLASS[tone]}${tone === 'running' ? ' pulse' : ''}`} aria-hidden="true" />
  );
}
