import type { IncomingEvent } from '../../../../shared/contracts/incoming.ts';
import type { Bracket } from '../../../../shared/model/incoming/compare.ts';

/**
 * The live picture of an inbound-call run, folded from its events: one row per registration (the
 * idle times, then the keep-alive runs), each with its state as it changes, plus the STUN
 * comparison's progress and, in PBX mode, the "call now" prompt. Pure, so it is tested as is.
 */
export type RowState = Extract<IncomingEvent, { kind: 'test' }>['state'] | 'planned';

export interface TimelineRow {
  id: string;
  idleSeconds: number;
  keepAliveSeconds: number | null;
  state: RowState;
  detail: string | null;
  /** ms since the run started: when its silence began, and when it resolved. */
  idleAtMs: number | null;
  resolvedAtMs: number | null;
}

export interface Timeline {
  rows: TimelineRow[];
  expectedDurationMs: number | null;
  stun: Partial<Record<'random' | 'sip', Bracket & { done: boolean }>>;
  prompt: Extract<IncomingEvent, { kind: 'prompt' }> | null;
}

const FINAL: readonly RowState[] = ['arrived', 'missed', 'closed', 'failed', 'cancelled'];

export const isFinal = (s: RowState) => FINAL.includes(s);

export function timelineOf(events: readonly IncomingEvent[]): Timeline {
  const t: Timeline = { rows: [], expectedDurationMs: null, stun: {}, prompt: null };
  const row = (id: string) => t.rows.find((r) => r.id === id);
  for (const e of events) {
    switch (e.kind) {
      case 'plan':
        t.expectedDurationMs = e.expectedDurationMs;
        for (const p of e.tests)
          if (!row(p.id))
            t.rows.push({ ...p, state: 'planned', detail: null, idleAtMs: null, resolvedAtMs: null });
        break;
      case 'test': {
        let r = row(e.id);
        if (!r) {
          r = { ...e, state: 'planned', detail: null, idleAtMs: null, resolvedAtMs: null };
          t.rows.push(r);
        }
        r.state = e.state;
        r.detail = e.detail ?? r.detail;
        if (e.state === 'idle') r.idleAtMs = e.atMs;
        if (isFinal(e.state)) r.resolvedAtMs = e.atMs;
        break;
      }
      case 'stun':
        t.stun[e.port] = {
          aliveAfterSeconds: e.aliveAfterSeconds,
          deadAfterSeconds: e.deadAfterSeconds,
          done: e.done,
        };
        break;
      case 'prompt':
        t.prompt = e;
        break;
    }
  }
  return t;
}

/** The tone a row is shown in: green once the call arrived, red when it did not. */
export function rowTone(r: TimelineRow): 'ok' | 'problem' | 'warning' | 'unknown' | 'running' {
  switch (r.state) {
    case 'arrived':
      return 'ok';
    case 'missed':
    case 'closed':
      return 'problem';
    case 'failed':
      return 'warning';
    case 'cancelled':
      return 'unknown';
    default:
      return 'running';
  }
}

export function rowWord(r: TimelineRow): string {
  switch (r.state) {
    case 'planned':
    case 'registering':
      return 'registering…';
    case 'idle':
      return 'silent, waiting for the call…';
    case 'arrived':
      return 'call arrived';
    case 'missed':
      return 'no call';
    case 'closed':
      return 'connection closed';
    case 'failed':
      return 'failed';
    case 'cancelled':
      // a keep-alive run is stopped once the probes show it cannot matter (its detail says why)
      return r.keepAliveSeconds === null ? 'cancelled' : 'stopped';
  }
}
