import type {
  CallEvent,
  CallResult,
  CallState,
  RtpStats,
  SipLogEntryDto,
} from '../../../../shared/contracts/call.ts';

/** Everything the Echo step shows, folded from the call's event stream and its final result. */
export interface EchoView {
  running: boolean;
  callId: string | null;
  local: string | null;
  state: CallState | null;
  stateDetail: string | null;
  /** Each transition: `atMs` since the test started (service clock), `at` when it arrived here (Date.now()). */
  states: { state: CallState; atMs: number; at: number }[];
  samples: RtpStats[];
  messages: SipLogEntryDto[];
  findings: { code: string; severity: string; message: string }[];
  result: CallResult | null;
  error: string | null;
}

export const initialEchoView: EchoView = {
  running: false,
  callId: null,
  local: null,
  state: null,
  stateDetail: null,
  states: [],
  samples: [],
  messages: [],
  findings: [],
  result: null,
  error: null,
};

export type EchoAction =
  | { type: 'start' }
  | { type: 'event'; event: CallEvent; at: number }
  | { type: 'result'; result: CallResult }
  | { type: 'error'; message: string }
  /** A problem beside the call (the microphone failed): shown, but the call goes on. */
  | { type: 'warning'; message: string };

export function echoReducer(v: EchoView, a: EchoAction): EchoView {
  switch (a.type) {
    case 'start':
      return { ...initialEchoView, running: true };
    case 'result':
      return {
        ...v,
        running: false,
        result: a.result,
        messages: a.result.messages,
        findings: a.result.findings,
      };
    case 'error':
      return { ...v, running: false, error: a.message };
    case 'warning':
      return { ...v, error: a.message };
    case 'event': {
      const e = a.event;
      switch (e.kind) {
        case 'started':
          return { ...v, callId: e.callId, local: e.local };
        case 'state':
          return {
            ...v,
            state: e.state,
            stateDetail: e.detail ?? null,
            states: [...v.states, { state: e.state, atMs: e.atMs, at: a.at }],
          };
        case 'sip':
          return { ...v, messages: [...v.messages, e.message] };
        case 'stats':
          return { ...v, samples: [...v.samples, e.stats] };
        case 'finding':
          return { ...v, findings: [...v.findings, e.finding] };
        case 'audio':
          return v; // played directly, not kept in state
      }
    }
  }
  return v;
}
