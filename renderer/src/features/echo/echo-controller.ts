import type { CallEchoInput, CallResult } from '../../../../shared/contracts/call.ts';
import { NatScopeError } from '../../../../shared/contracts/errors.ts';
import type { Bridge } from '../../../../shared/contracts/client.ts';
import type { SessionStore } from '../../app/session/store.ts';
import { EchoPlayer } from './audio/echo-player.ts';
import { frameLevelDb } from './audio/level.ts';
import { startMicCapture } from './audio/mic-capture.ts';
import { echoReducer, initialEchoView, type EchoAction, type EchoView } from './echo-state.ts';

/** Session slice holding the echo call's view (see echo-state.ts). */
export const ECHO_VIEW = 'echo.view';
/** What the audio path did: frames the service accepted, and the loudest echo in the last second. */
export const ECHO_AUDIO = 'echo.audio';

export interface EchoAudioState {
  micFrames: number;
  echoLevelDb: number | null;
}

export interface EchoStartOptions {
  /** Feed the microphone instead of the test signal. */
  microphone: boolean;
  /** Play the echo through the speakers. */
  hear: boolean;
  muted: boolean;
  /** Secrets to redact from the report (the account password). */
  secrets?: string[];
}

/**
 * One echo call per session, owned by the session rather than by the Echo step's component: the
 * call, its live charts and its audio keep going while the user looks at another step, and end
 * only on Hang up, at the call's own end, or when the host connection is lost.
 */
export class EchoController {
  private controller: AbortController | null = null;
  private player: EchoPlayer | null = null;
  private stopMic: (() => void) | null = null;
  private levelWindow = { at: 0, max: -96 };
  /** Microphone frames the service accepted; published with the echo level, at most once a second. */
  private micFrames = 0;

  private readonly store: SessionStore;
  private readonly bridge: Bridge;

  constructor(store: SessionStore, bridge: Bridge) {
    this.store = store;
    this.bridge = bridge;
    store.onConnectionLost((reason) => {
      if (!this.view().running) return;
      this.controller = null;
      this.cleanup();
      this.dispatch({ type: 'error', message: `The call was cut off: ${reason}` });
    });
    store.onReset(() => this.hangUp());
  }

  view(): EchoView {
    return this.store.slice(ECHO_VIEW, initialEchoView);
  }

  private dispatch(a: EchoAction): void {
    this.store.setSlice<EchoView>(ECHO_VIEW, (v) => echoReducer(v ?? initialEchoView, a));
  }

  private setAudio(patch: Partial<EchoAudioState>): void {
    this.store.setSlice<EchoAudioState>(ECHO_AUDIO, (a) => ({
      ...(a ?? { micFrames: 0, echoLevelDb: null }),
      ...patch,
    }));
  }

  setMuted(muted: boolean): void {
    this.player?.setMuted(muted);
  }

  hangUp(): void {
    this.controller?.abort();
  }

  /** Places the call; resolves with its result (null when it failed before one existed). */
  async start(input: CallEchoInput, opts: EchoStartOptions): Promise<CallResult | null> {
    this.controller?.abort();
    const c = new AbortController();
    this.controller = c;
    this.dispatch({ type: 'start' });
    this.store.setSlice<EchoAudioState>(ECHO_AUDIO, { micFrames: 0, echoLevelDb: null });
    this.micFrames = 0;
    this.player?.close();
    this.player = opts.hear && typeof AudioContext !== 'undefined' ? new EchoPlayer() : null;
    this.player?.setMuted(opts.muted);
    try {
      const result = await this.bridge.call('call.echoTest', input, {
        signal: c.signal,
        onEvent: (e) => {
          if (this.controller !== c) return;
          if (e.kind === 'audio') return this.onAudio(e.payload, e.codec);
          this.dispatch({ type: 'event', event: e, at: Date.now() });
          if (e.kind === 'started' && opts.microphone) this.startMicrophone(e.callId);
        },
      });
      if (this.controller !== c) return null;
      this.dispatch({ type: 'result', result });
      this.store.setResult('call', result);
      this.store.setResult('callSamples', this.view().samples);
      if (opts.secrets?.length) this.store.setResult('secrets', opts.secrets);
      return result;
    } catch (err) {
      if (this.controller === c)
        this.dispatch({ type: 'error', message: err instanceof NatScopeError ? err.message : String(err) });
      return null;
    } finally {
      if (this.controller === c) {
        this.controller = null;
        this.cleanup();
      }
    }
  }

  private cleanup(): void {
    this.stopMic?.();
    this.stopMic = null;
    if (this.micFrames > 0) this.setAudio({ micFrames: this.micFrames });
  }

  private onAudio(payload: string, codec: 'pcmu' | 'pcma'): void {
    this.player?.push(payload, codec);
    const w = this.levelWindow;
    w.max = Math.max(w.max, frameLevelDb(payload, codec));
    if (performance.now() - w.at > 1000) {
      // One store update a second: every update re-renders the app, which starves the microphone.
      this.setAudio({ echoLevelDb: w.max, micFrames: this.micFrames });
      this.levelWindow = { at: performance.now(), max: -96 };
    }
  }

  private startMicrophone(callId: string): void {
    startMicCapture('pcmu', (frames) => {
      this.bridge.call('call.pushAudio', { callId, frames }).then(
        (r) => (this.micFrames += r.accepted),
        () => undefined,
      );
    }).then(
      (stop) => {
        if (this.view().running) this.stopMic = stop;
        else stop();
      },
      (err: Error) =>
        this.dispatch({
          type: 'warning',
          message: `Microphone unavailable (${err.message}); use the test signal.`,
        }),
    );
  }
}

const controllers = new WeakMap<SessionStore, EchoController>();

/** The session's echo controller (one per window). */
export function echoController(store: SessionStore): EchoController {
  let c = controllers.get(store);
  if (!c) {
    c = new EchoController(store, store.bridge);
    controllers.set(store, c);
  }
  return c;
}
