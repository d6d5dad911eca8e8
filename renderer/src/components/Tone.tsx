import type { ReactNode } from 'react';
import type { VerdictRow } from '../app/registry.ts';

/** Small shared UI atoms: a coloured status badge, a status dot, and a verdict light with its word. */
export type Tone = 'ok' | 'info' | 'warning' | 'problem' | 'unknown' | 'running';

const TONE_CLASS: Record<Tone, string> = {
  ok: 'green',
  info: 'blue',
  warning: 'amber',
  problem: 'red',
  unknown: 'grey',
  running: 'blue',
};

export function Badge({ tone, children }: { tone: Tone; children: ReactNode }) {
  return <span className={`badge ${TONE_CLASS[tone]}`}>{children}</span>;
}

export function Dot({ tone }: { tone: Tone }) {
  return (
    <span className={`dot ${TONE_CLASS[tone]}${tone === 'running' ? ' pulse' : ''}`} aria-hidden="true" />
  );
}

export type LightTone = VerdictRow['tone'];

/** What a light means, in words (screen readers hear this; colour is never the only signal). */
export const TONE_WORD: Record<LightTone, string> = {
  ok: 'fine',
  info: 'note',
  warning: 'attention',
  problem: 'problem',
  unknown: 'unknown',
  running: 'checking',
  'not-checked': 'not checked',
};

/** A traffic light with a shape per state as well as a colour (✓ ! ✕ ? …). */
const GLYPH: Record<LightTone, string> = {
  ok: '✓',
  info: 'i',
  warning: '!',
  problem: '✕',
  unknown: '?',
  running: '…',
  'not-checked': '–',
};

export function ToneDot({ tone }: { tone: LightTone }) {
  return (
    <span className={`light-dot tone-${tone}`} aria-hidden="true">
      {GLYPH[tone]}
    </span>
  );
}
