import { useEffect } from 'react';
import { useSession, useSessionState, useStore } from '../../app/session/session-context.tsx';
import { Badge } from '../../components/Tone.tsx';
import { MosGauge, ThresholdTiles } from '../echo/CallQuality.tsx';
import { LiveCharts } from '../echo/LiveCharts.tsx';
import { EMPTY_SETTINGS, RELAY_SETTINGS, type RelaySettings } from '../relay/relay-settings.ts';
import { turnFromRelay } from './relay-turn.ts';
import { initialWebrtcView, WEBRTC_VIEW, webrtcController, type WebrtcView } from './webrtc-controller.ts';
import { IcePanel, WebrtcFindings } from './WebrtcResultView.tsx';
import {
  EMPTY_WEBRTC_FORM,
  FormText,
  webrtcInput,
  WebrtcSettings,
  type WebrtcForm,
} from './WebrtcSettings.tsx';

/**
 * The WebRTC echo: this browser (Electron is Chromium; in web mode, the user's own browser) calls an
 * echo extension like a WebRTC softphone — SIP over a secure WebSocket, ICE with the STUN/TURN
 * servers given, DTLS-SRTP — with the microphone, plays the echo back, and charts the same figures
 * as the SIP echo (MOS from the same E-model). The call belongs to the session (webrtc-controller.ts).
 */
export function WebrtcStep() {
  const store = useStore();
  const rtc = webrtcController(store);
  const session = useSession();
  const view = (session.slices[WEBRTC_VIEW] as WebrtcView | undefined) ?? initialWebrtcView;
  const [form, setForm] = useSessionState<WebrtcForm>('webrtc.form', EMPTY_WEBRTC_FORM);
  const set =
    <K extends keyof WebrtcForm>(k: K) =>
    (v: WebrtcForm[K]) =>
      setForm((f) => ({ ...f, [k]: v }));
  useEffect(() => rtc.setHear(form.hear), [rtc, form.hear]);
  const [relay] = useSessionState<RelaySettings>(RELAY_SETTINGS, EMPTY_SETTINGS);
  const relayTurn = turnFromRelay(relay);
  const input = webrtcInput(form);
  const result = view.running ? null : (view.result ?? session.results.webrtc ?? null);
  const samples = view.samples.length ? view.samples : (result?.samples ?? []);
  const last = samples.at(-1) ?? null;
  const state = view.states.at(-1);
  return (
    <>
      <div className="form-row">
        <FormText
          form={form}
          set={set}
          k="wsUrl"
          label="SIP WebSocket"
          grow
          placeholder="wss://pbx.example.com:8089/ws"
          disabled={view.running}
        />
        <FormText
          form={form}
          set={set}
          k="target"
          label="Echo extension"
          grow
          placeholder="sip:9196@pbx.example.com"
          disabled={view.running}
        />
        {view.running ? (
          <button type="button" onClick={() => rtc.stop()}>
            Hang up
          </button>
        ) : (
          <button
            type="button"
            className="primary"
            disabled={!input}
            onClick={() => input && void rtc.start(input, form.hear)}
          >
            Start WebRTC echo
          </button>
        )}
      </div>
      <WebrtcSettings
        form={form}
        set={set}
        disabled={view.running}
        relayTurn={relayTurn}
        useRelayTurn={() => relayTurn && setForm((f) => ({ ...f, ...relayTurn }))}
      />
      {(view.states.length > 0 || view.running) && (
        <div className="state-line" data-testid="webrtc-state">
          {view.states.map((s, i) => (
            <Badge key={i} tone={s.state === 'failed' ? 'problem' : s === state ? 'running' : 'unknown'}>
              {s.state}
            </Badge>
          ))}
          {state?.detail && <span className="muted small">{state.detail}</span>}
        </div>
      )}
      {view.error && (
        <div className="error-banner" role="alert">
          {view.error}
        </div>
      )}
      {(samples.length > 0 || result?.stats) && (
        <div className="quality" data-testid="webrtc-quality">
          <MosGauge mos={last?.mos ?? result?.stats?.mos ?? null} />
          <ThresholdTiles stats={last ?? result?.stats ?? null} />
        </div>
      )}
      {samples.length > 0 && <LiveCharts samples={samples} />}
      {(view.running || result) && <IcePanel view={view} result={result} />}
      {result && <WebrtcFindings result={result} />}
    </>
  );
}
