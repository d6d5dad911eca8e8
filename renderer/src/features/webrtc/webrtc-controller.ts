import type {
  Candidate,
  WebrtcEchoInput,
  WebrtcEvent,
  WebrtcResult,
  WebrtcSample,
  WebrtcState,
} from '../../../../shared/contracts/webrtc.ts';
import type { SessionStore } from '../../app/session/store.ts';
import { runWebrtcEcho } from './run-echo.ts';

/** Session slice holding the WebRTC echo's view. */
export const WEBRTC_VIEW = 'webrtc.view';

export interface WebrtcView {
  running: boolean;
  states: { state: WebrtcState; at: number; detail?: string }[];
  candidates: Candidate[];
  pair: { local: Candidate; remote: Candidate } | null;
  samples: WebrtcSample[];
  result: WebrtcResult | null;
  error: string | null;
}

export const initialWebrtcView: WebrtcView = {
  running: false,
  states: [],
  candidates: [],
  pair: null,
  samples: [],
  result: null,
  error: null,
};

function reduce(v: WebrtcView, e: WebrtcEvent, at: number): WebrtcView {
  switch (e.kind) {
    case 'state':
      return { ...v, states: [...v.states, { state: e.state, at, detail: e.detail }] };
    case 'candidate':
      return { ...v, candidates: [...v.candidates, e.candidate] };
    case 'pair':
      return { ...v, pair: { local: e.local, remote: e.remote } };
    case 'sample':
      return { ...v, samples: [...v.samples, e.sample] };
  }
}

/**
 * One WebRTC echo per session, run by this browser (run-echo.ts) and owned by the session like the
 * SIP echo: it keeps going while the user looks at another step. The host is asked only to probe
 * the WebSocket URL when the browser cannot open it (websocket.probe), and to build the report.
 */
export class WebrtcController {
  private controller: AbortController | null = null;
  private readonly store: SessionStore;
  /** The echo's playback, owned here so it goes on while another step is shown. */
  private readonly speaker = typeof Audio !== 'undefined' ? new Audio() : null;

  constructor(store: SessionStore) {
    this.store = store;
    store.onReset(() => this.stop());
  }

  view(): WebrtcView {
    return this.store.slice(WEBRTC_VIEW, initialWebrtcView);
  }

  private set(f: (v: WebrtcView) => WebrtcView): void {
    this.store.setSlice<WebrtcView>(WEBRTC_VIEW, (v) => f(v ?? initialWebrtcView));
  }

  stop(): void {
    this.controller?.abort();
  }

  /** Hear the echo (or not): the audio is still decoded and measured either way. */
  setHear(hear: boolean): void {
    if (this.speaker) this.speaker.volume = hear ? 1 : 0;
  }

  async start(input: WebrtcEchoInput, hear: boolean): Promise<WebrtcResult | null> {
    this.controller?.abort();
    const c = new AbortController();
    this.controller = c;
    this.set(() => ({ ...initialWebrtcView, running: true }));
    this.setHear(hear);
    const password = input.account?.password;
    try {
      const result = await runWebrtcEcho(input, {
        signal: c.signal,
        playback: this.speaker,
        onEvent: (e) => this.controller === c && this.set((v) => reduce(v, e, Date.now())),
        probe: (url) => this.store.bridge.call('websocket.probe', { url }).catch(() => null),
      });
      if (this.controller !== c) return null;
      this.set((v) => ({ ...v, running: false, result }));
      this.store.setResult('webrtc', result);
      if (password)
        this.store.setResult('secrets', [...(this.store.getSnapshot().results.secrets ?? []), password]);
      return result;
    } catch (err) {
      if (this.controller === c) this.set((v) => ({ ...v, running: false, error: (err as Error).message }));
      return null;
    } finally {
      if (this.controller === c) this.controller = null;
    }
  }
}

const controllers = new WeakMap<SessionStore, WebrtcController>();

export function webrtcController(store: SessionStore): WebrtcController {
  let c = controllers.get(store);
  if (!c) {
    c = new WebrtcController(store);
    controllers.set(store, c);
  }
  return c;
}
