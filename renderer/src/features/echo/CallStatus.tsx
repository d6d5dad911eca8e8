import { useEffect, useState } from 'react';
import { Badge } from '../../components/Tone.tsx';
import type { EchoView } from './echo-state.ts';

/** Ticks once a second while `active`, so countdowns move. */
function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [active]);
  return now;
}

/**
 * The call's state transitions, and what the user is waiting for: the seconds left for an answer
 * (the INVITE's answer timeout) and, once media flows, until the test ends.
 */
export function CallStatus(props: { view: EchoView; answerTimeoutSec: number; durationSec: number }) {
  const { view } = props;
  const waiting = view.running && (view.state === 'calling' || view.state === 'ringing');
  const inMedia = view.running && (view.state === 'answered' || view.state === 'media');
  const now = useNow(waiting || inMedia);
  if (!view.state && !view.running) return null;
  const since = (state: string) => view.states.findLast((s) => s.state === state);
  const calling = since('calling');
  const answered = since('answered');
  let countdown: string | null = null;
  if (waiting && calling) {
    const left = Math.max(0, Math.ceil(props.answerTimeoutSec - (now - calling.at) / 1000));
    countdown = `waiting for an answer: ${left} s left`;
  } else if (inMedia && answered) {
    const left = Math.max(0, Math.ceil(props.durationSec - (now - answered.at) / 1000));
    countdown = `test ends in ${left} s`;
  }
  return (
    <div className="state-line" data-testid="echo-state">
      {view.states.map((s, i) => (
        <Badge
          key={i}
          tone={s.state === 'failed' ? 'problem' : s.state === view.state ? 'running' : 'unknown'}
        >
          {s.state}
        </Badge>
      ))}
      {view.running && view.states.length === 0 && <Badge tone="running">starting</Badge>}
      {countdown && (
        <span className="countdown" data-testid="echo-countdown" role="timer" aria-live="off">
          {countdown}
        </span>
      )}
      {view.stateDetail && <span className="muted small">{view.stateDetail}</span>}
    </div>
  );
}
