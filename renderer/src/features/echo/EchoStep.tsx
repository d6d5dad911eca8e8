import { useEffect } from 'react';
import { ECHO_PRESETS, type CallEchoInput } from '../../../../shared/contracts/call.ts';
import { Slot } from '../../app/registry-context.tsx';
import {
  useInputPatches,
  useSession,
  useSessionState,
  useStore,
} from '../../app/session/session-context.tsx';
import { SelectField, TextField } from '../../components/Field.tsx';
import { CallResultView } from './CallResultView.tsx';
import { CallStatus } from './CallStatus.tsx';
import { MosGauge, ThresholdTiles } from './CallQuality.tsx';
import { ECHO_AUDIO, ECHO_VIEW, echoController, type EchoAudioState } from './echo-controller.ts';
import { EchoSettings, EMPTY_ECHO_FORM, type EchoForm } from './EchoSettings.tsx';
import { initialEchoView, type EchoView } from './echo-state.ts';
import { LiveCharts } from './LiveCharts.tsx';
import { SipLadder } from './SipLadder.tsx';

const ANSWER_TIMEOUT_SEC = 30;

/**
 * The echo test call. The call itself belongs to the session (echo-controller.ts): leaving this
 * step does not hang up, and coming back shows the call where it is. Layout: the call controls,
 * its state and countdown, then quality (MOS gauge, pass/fail per metric) and the live charts —
 * above the fold at 1024×700 — then the verdict, the SIP ladder and the details.
 */
export function EchoStep({ presetTarget, demo }: { presetTarget?: string; demo?: boolean }) {
  const store = useStore();
  const call = echoController(store);
  const session = useSession();
  const view = (session.slices[ECHO_VIEW] as EchoView | undefined) ?? initialEchoView;
  const audio = session.slices[ECHO_AUDIO] as EchoAudioState | undefined;
  const patches = useInputPatches('echo');
  const [form, setForm] = useSessionState<EchoForm>('echo.form', () => ({
    ...EMPTY_ECHO_FORM,
    preset: presetTarget ? 'custom' : ECHO_PRESETS[0].id,
    customUri: presetTarget ?? '',
  }));
  const set =
    <K extends keyof EchoForm>(k: K) =>
    (v: EchoForm[K]) =>
      setForm((f) => ({ ...f, [k]: v }));
  useEffect(() => call.setMuted(form.muted), [call, form.muted]);

  const target =
    form.preset === 'custom'
      ? form.customUri.trim()
      : (ECHO_PRESETS.find((p) => p.id === form.preset)?.uri ?? '');
  const durationSec = Number(form.duration) || 10;
  const start = () => {
    const input: CallEchoInput = {
      ...patches,
      target,
      transport: form.transport,
      advertise: form.advertise,
      durationSec,
      answerTimeoutSec: ANSWER_TIMEOUT_SEC,
      audio: form.audioMode === 'microphone' ? 'external' : 'test-signal',
      echoAudio: form.hear,
      ...(demo ? { localAddress: '127.0.0.1' } : {}),
      ...(form.advertise === 'stun' && form.stunServer ? { stunServer: form.stunServer } : {}),
      ...(form.useAccount
        ? {
            account: {
              registrar: form.account.registrar,
              username: form.account.user,
              password: form.account.password,
            },
          }
        : {}),
    };
    void call.start(input, {
      microphone: form.audioMode === 'microphone',
      hear: form.hear,
      muted: form.muted,
      secrets: form.useAccount && form.account.password ? [form.account.password] : undefined,
    });
  };

  const r = view.running ? null : (view.result ?? session.results.call ?? null);
  const samples = view.samples.length ? view.samples : (session.results.callSamples ?? []);
  const last = samples.at(-1) ?? r?.rtp ?? null;
  return (
    <>
      <div className="form-row">
        <SelectField
          label="Call"
          ariaLabel="Echo service"
          value={form.preset}
          onChange={set('preset')}
          disabled={view.running}
        >
          {ECHO_PRESETS.map((p) => (
            <option key={p.id} value={p.id}>
              {p.label}
            </option>
          ))}
          <option value="custom">Custom URI…</option>
        </SelectField>
        {form.preset === 'custom' && (
          <TextField
            label="SIP URI"
            grow
            value={form.customUri}
            onChange={set('customUri')}
            placeholder="sip:9196@pbx.example.com"
            disabled={view.running}
          />
        )}
        <TextField
          label="Seconds"
          ariaLabel="Duration seconds"
          value={form.duration}
          onChange={set('duration')}
          size={4}
          disabled={view.running}
        />
        <Slot name="echo.options" />
        {view.running ? (
          <button type="button" onClick={() => call.hangUp()}>
            Hang up
          </button>
        ) : (
          <button type="button" className="primary" onClick={start} disabled={!/^sips?:/i.test(target)}>
            Start echo test
          </button>
        )}
      </div>
      <EchoSettings form={form} set={set} disabled={view.running} />
      <CallStatus view={view} answerTimeoutSec={ANSWER_TIMEOUT_SEC} durationSec={durationSec} />
      {view.error && (
        <div className="error-banner" role="alert">
          {view.error}
        </div>
      )}
      {(samples.length > 0 || view.running || r) && (
        <div className="quality" data-testid="echo-quality">
          <MosGauge mos={last?.mos ?? null} />
          <ThresholdTiles stats={last} />
        </div>
      )}
      {(samples.length > 0 || view.running) && <LiveCharts samples={samples} />}
      {r && (
        <CallResultView result={r} last={last} audio={audio} microphone={form.audioMode === 'microphone'} />
      )}
      {view.findings.map((f, i) => (
        <div key={i} className={f.severity === 'error' ? 'error-banner' : 'notice warning'}>
          <code>{f.code}</code> {f.message}
        </div>
      ))}
      <Slot name="echo.panels" />
      {(view.messages.length > 0 || (r?.messages.length ?? 0) > 0) && (
        <SipLadder
          messages={view.messages.length ? view.messages : (r?.messages ?? [])}
          local={view.local ?? r?.signaling.local ?? ''}
          remote={r?.signaling.server ?? target}
        />
      )}
    </>
  );
}
