import { useEffect, useReducer, useRef, useState } from 'react';
import { ECHO_PRESETS, type CallEchoInput } from '../../../../shared/contracts/call.ts';
import { NatScopeError } from '../../../../shared/contracts/errors.ts';
import { useBridge } from '../../app/bridge-context.tsx';
import { useResults } from '../../app/results-context.tsx';
import { Badge } from '../../components/Tone.tsx';
import { EchoPlayer } from './audio/echo-player.ts';
import { frameLevelDb } from './audio/level.ts';
import { startMicCapture } from './audio/mic-capture.ts';
import { echoReducer, initialEchoView } from './echo-state.ts';
import { LiveCharts } from './LiveCharts.tsx';
import { SipLadder } from './SipLadder.tsx';
import { SelectField, TextField } from '../../components/Field.tsx';

type AudioMode = 'test-signal' | 'microphone';

export function EchoStep({ presetTarget }: { presetTarget?: string }) {
  const { bridge } = useBridge();
  const [view, dispatch] = useReducer(echoReducer, initialEchoView);
  const [preset, setPreset] = useState<string>(presetTarget ? 'custom' : ECHO_PRESETS[0].id);
  const [customUri, setCustomUri] = useState(presetTarget ?? '');
  const [transport, setTransport] = useState<'udp' | 'tcp' | 'tls'>('udp');
  const [advertise, setAdvertise] = useState<'local' | 'stun'>('local');
  const [stunServer, setStunServer] = useState('');
  const [duration, setDuration] = useState('10');
  const [useAccount, setUseAccount] = useState(false);
  const [registrar, setRegistrar] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [audioMode, setAudioMode] = useState<AudioMode>('test-signal');
  const [hear, setHear] = useState(true);
  const [muted, setMuted] = useState(false);
  // What the microphone path did: frames the service accepted, and the loudest echo in the last second.
  const [micFrames, setMicFrames] = useState(0);
  const [echoLevel, setEchoLevel] = useState<number | null>(null);
  const levelWindow = useRef({ at: 0, max: -96 });
  const controller = useRef<AbortController | null>(null);
  const player = useRef<EchoPlayer | null>(null);
  const stopMic = useRef<(() => void) | null>(null);
  const { set: setResult } = useResults();
  // Publish the finished call (with its per-second stats) for the Report step.
  useEffect(() => {
    if (!view.result) return;
    setResult('call', view.result);
    setResult('callSamples', view.samples);
  }, [view.result, view.samples, setResult]);

  useEffect(() => () => controller.current?.abort(), []);
  useEffect(() => player.current?.setMuted(muted), [muted]);

  const target =
    preset === 'custom' ? customUri.trim() : (ECHO_PRESETS.find((p) => p.id === preset)?.uri ?? '');

  const start = async () => {
    const c = new AbortController();
    controller.current = c;
    dispatch({ type: 'start' });
    setMicFrames(0);
    setEchoLevel(null);
    player.current?.close();
    player.current = hear ? new EchoPlayer() : null;
    player.current?.setMuted(muted);
    const input: CallEchoInput = {
      target,
      transport,
      advertise,
      durationSec: Number(duration) || 10,
      audio: audioMode === 'microphone' ? 'external' : 'test-signal',
      echoAudio: hear,
      ...(advertise === 'stun' && stunServer ? { stunServer } : {}),
      ...(useAccount ? { account: { registrar, username, password } } : {}),
    };
    try {
      const result = await bridge.call('call.echoTest', input, {
        signal: c.signal,
        onEvent: (e) => {
          if (e.kind === 'audio') {
            player.current?.push(e.payload, e.codec);
            const w = levelWindow.current;
            w.max = Math.max(w.max, frameLevelDb(e.payload, e.codec));
            if (performance.now() - w.at > 1000) {
              setEchoLevel(w.max);
              levelWindow.current = { at: performance.now(), max: -96 };
            }
          } else dispatch({ type: 'event', event: e });
          if (e.kind === 'started' && audioMode === 'microphone') {
            startMicCapture('pcmu', (frames) => {
              bridge.call('call.pushAudio', { callId: e.callId, frames }).then(
                (r) => setMicFrames((n) => n + r.accepted),
                () => undefined,
              );
            }).then(
              (stop) => (stopMic.current = stop),
              (err: Error) =>
                dispatch({
                  type: 'error',
                  message: `Microphone unavailable (${err.message}); use the test signal.`,
                }),
            );
          }
        },
      });
      dispatch({ type: 'result', result });
      if (useAccount && password) setResult('secrets', [password]);
    } catch (err) {
      dispatch({ type: 'error', message: err instanceof NatScopeError ? err.message : String(err) });
    } finally {
      stopMic.current?.();
      stopMic.current = null;
    }
  };

  const r = view.result;
  const last = view.samples.at(-1) ?? r?.rtp ?? null;
  return (
    <section className="panel" aria-labelledby="step-title">
      <div className="panel-head">
        <div>
          <h2 id="step-title">Echo test</h2>
          <p className="muted">
            A real call: NatScope dials an echo service, sends audio and measures what comes back.
          </p>
        </div>
      </div>
      <div className="form-row">
        <SelectField
          label="Call"
          ariaLabel="Echo service"
          value={preset}
          onChange={setPreset}
          disabled={view.running}
        >
          {ECHO_PRESETS.map((p) => (
            <option key={p.id} value={p.id}>
              {p.label}
            </option>
          ))}
          <option value="custom">Custom URI…</option>
        </SelectField>
        {preset === 'custom' && (
          <TextField
            label="SIP URI"
            grow
            value={customUri}
            onChange={setCustomUri}
            placeholder="sip:9196@pbx.example.com"
            disabled={view.running}
          />
        )}
        <SelectField
          label="Transport"
          ariaLabel="SIP transport"
          value={transport}
          onChange={(v) => setTransport(v as 'udp' | 'tcp' | 'tls')}
          disabled={view.running}
        >
          <option value="udp">UDP</option>
          <option value="tcp">TCP</option>
          <option value="tls">TLS</option>
        </SelectField>
        <SelectField
          label="Advertise"
          value={advertise}
          onChange={(v) => setAdvertise(v as 'local' | 'stun')}
          disabled={view.running}
        >
          <option value="local">Local address</option>
          <option value="stun">STUN-mapped address</option>
        </SelectField>
        {advertise === 'stun' && (
          <TextField
            label="STUN server"
            ariaLabel="STUN server for SDP"
            value={stunServer}
            onChange={setStunServer}
            disabled={view.running}
          />
        )}
        <TextField
          label="Seconds"
          ariaLabel="Duration seconds"
          value={duration}
          onChange={setDuration}
          size={4}
          disabled={view.running}
        />
      </div>
      <div className="form-row">
        <label className="check">
          <input
            type="checkbox"
            checked={useAccount}
            onChange={(e) => setUseAccount(e.target.checked)}
            disabled={view.running}
          />{' '}
          Register with an account first
        </label>
        {useAccount && (
          <>
            <TextField label="Registrar" value={registrar} onChange={setRegistrar} disabled={view.running} />
            <TextField
              label="User"
              value={username}
              onChange={setUsername}
              disabled={view.running}
              autoComplete="off"
            />
            <TextField
              label="Password"
              type="password"
              value={password}
              onChange={setPassword}
              disabled={view.running}
              autoComplete="off"
            />
          </>
        )}
      </div>
      <div className="form-row">
        <SelectField
          label="Audio out"
          value={audioMode}
          onChange={(v) => setAudioMode(v as AudioMode)}
          disabled={view.running}
        >
          <option value="test-signal">Test tone with markers</option>
          <option value="microphone">Microphone (hear yourself)</option>
        </SelectField>
        <label className="check">
          <input
            type="checkbox"
            checked={hear}
            onChange={(e) => setHear(e.target.checked)}
            disabled={view.running}
          />{' '}
          Play the echo
        </label>
        <label className="check">
          <input type="checkbox" checked={muted} onChange={(e) => setMuted(e.target.checked)} /> Mute
        </label>
        {view.running ? (
          <button type="button" onClick={() => controller.current?.abort()}>
            Hang up
          </button>
        ) : (
          <button
            type="button"
            className="primary"
            onClick={() => void start()}
            disabled={!/^sips?:/i.test(target)}
          >
            Start echo test
          </button>
        )}
      </div>
      {(view.state || view.running) && (
        <div className="state-line" data-testid="echo-state" aria-live="polite">
          {view.states.map((s, i) => (
            <Badge
              key={i}
              tone={s.state === 'failed' ? 'problem' : s.state === view.state ? 'running' : 'unknown'}
            >
              {s.state}
            </Badge>
          ))}
          {view.stateDetail && <span className="muted small">{view.stateDetail}</span>}
        </div>
      )}
      {view.error && (
        <div className="error-banner" role="alert">
          {view.error}
        </div>
      )}
      {r && (
        <div
          className={r.answered && !r.oneWayAudio ? 'notice ok' : 'error-banner'}
          data-testid="echo-result"
        >
          <strong>
            {r.answered
              ? r.oneWayAudio
                ? 'One-way audio: the echo never came back.'
                : 'Audio flows both ways.'
              : `The call failed: ${r.sipStatus ?? ''} ${r.sipReason ?? r.endReason}`}
          </strong>{' '}
          SIP {r.sipStatus ?? '—'} · ended: {r.endReason}
          {r.media?.sourceMismatch
            ? ' · RTP came from another address than the SDP said (NAT in the path).'
            : ''}
        </div>
      )}
      {last && (
        <p className="muted small" data-testid="echo-counters">
          RTP sent {last.sent} · received {last.received} · loss {last.lossPercent.toFixed(1)} % · duplicates{' '}
          {last.duplicates} · reordered {last.reordered}
          {last.audioLatencyMs !== null ? ` · audio round trip ${last.audioLatencyMs.toFixed(0)} ms` : ''}
          {last.emodel
            ? ` · E-model R ${last.emodel.R.toFixed(1)} (Ie,eff ${last.emodel.IeEff.toFixed(1)}, Id ${last.emodel.Id.toFixed(1)})`
            : ''}
        </p>
      )}
      {(micFrames > 0 || echoLevel !== null) && (
        <p className="muted small" data-testid="echo-audio">
          {audioMode === 'microphone' ? `Microphone: ${micFrames} frames sent as G.711` : 'Test tone'}
          {echoLevel !== null
            ? ` · echo level ${echoLevel.toFixed(0)} dBFS${echoLevel <= -60 ? ' (silence)' : ''}`
            : ''}
        </p>
      )}
      {(view.samples.length > 0 || view.running) && <LiveCharts samples={view.samples} />}
      {view.findings.map((f, i) => (
        <div key={i} className={f.severity === 'error' ? 'error-banner' : 'notice'}>
          <code>{f.code}</code> {f.message}
        </div>
      ))}
      {view.messages.length > 0 && (
        <SipLadder
          messages={view.messages}
          local={view.local ?? r?.signaling.local ?? ''}
          remote={r?.signaling.server ?? target}
        />
      )}
    </section>
  );
}
