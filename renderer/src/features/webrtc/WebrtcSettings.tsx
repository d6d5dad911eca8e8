import type { WebrtcEchoInput } from '../../../../shared/contracts/webrtc.ts';
import { CheckField, SelectField, TextField } from '../../components/Field.tsx';

/** The WebRTC echo's form, kept in the session ('webrtc.form'). */
export interface WebrtcForm {
  wsUrl: string;
  target: string;
  useAccount: boolean;
  user: string;
  password: string;
  stun: string;
  turn: string;
  turnUser: string;
  turnPassword: string;
  relayOnly: boolean;
  audio: 'microphone' | 'tone';
  hear: boolean;
  duration: string;
}

export const EMPTY_WEBRTC_FORM: WebrtcForm = {
  wsUrl: '',
  target: '',
  useAccount: false,
  user: '',
  password: '',
  stun: '',
  turn: '',
  turnUser: '',
  turnPassword: '',
  relayOnly: false,
  audio: 'microphone',
  hear: true,
  duration: '10',
};

/** What the form asks for; null while something required is missing. */
export function webrtcInput(f: WebrtcForm): WebrtcEchoInput | null {
  if (!/^wss?:\/\/\S+$/i.test(f.wsUrl.trim()) || !/^sips?:\S+@\S+$/i.test(f.target.trim())) return null;
  const iceServers: WebrtcEchoInput['iceServers'] = [];
  if (f.stun.trim()) iceServers.push({ urls: [f.stun.trim()] });
  if (f.turn.trim())
    iceServers.push({ urls: [f.turn.trim()], username: f.turnUser, credential: f.turnPassword });
  return {
    wsUrl: f.wsUrl.trim(),
    target: f.target.trim(),
    account: f.useAccount && f.user ? { username: f.user, password: f.password } : undefined,
    iceServers,
    iceTransportPolicy: f.relayOnly && f.turn.trim() ? 'relay' : 'all',
    durationSec: Math.min(120, Math.max(2, Number(f.duration) || 10)),
    audio: f.audio,
  };
}

export function WebrtcSettings(props: {
  form: WebrtcForm;
  set: <K extends keyof WebrtcForm>(k: K) => (v: WebrtcForm[K]) => void;
  disabled: boolean;
}) {
  const { form, set, disabled } = props;
  return (
    <details className="advanced" data-testid="webrtc-settings" open={form.useAccount || form.turn !== ''}>
      <summary>Account, STUN/TURN and audio</summary>
      <div className="form-row">
        <CheckField
          label="Register with an account"
          checked={form.useAccount}
          onChange={set('useAccount')}
          disabled={disabled}
        />
        {form.useAccount && (
          <>
            <TextField label="User" value={form.user} onChange={set('user')} disabled={disabled} />
            <TextField
              label="Password"
              type="password"
              autoComplete="off"
              value={form.password}
              onChange={set('password')}
              disabled={disabled}
            />
          </>
        )}
      </div>
      <div className="form-row">
        <TextField
          label="STUN server"
          grow
          placeholder="stun:stun.example.com:3478"
          value={form.stun}
          onChange={set('stun')}
          disabled={disabled}
        />
        <TextField
          label="TURN server"
          grow
          placeholder="turn:turn.example.com:3478?transport=tcp"
          value={form.turn}
          onChange={set('turn')}
          disabled={disabled}
        />
        <TextField label="TURN user" value={form.turnUser} onChange={set('turnUser')} disabled={disabled} />
        <TextField
          label="TURN password"
          type="password"
          autoComplete="off"
          value={form.turnPassword}
          onChange={set('turnPassword')}
          disabled={disabled}
        />
        <CheckField
          label="Relay only"
          checked={form.relayOnly}
          onChange={set('relayOnly')}
          disabled={disabled || !form.turn}
        />
      </div>
      <div className="form-row">
        <SelectField
          label="Send"
          value={form.audio}
          onChange={(v) => set('audio')(v as WebrtcForm['audio'])}
          disabled={disabled}
        >
          <option value="microphone">Microphone</option>
          <option value="tone">Test tone</option>
        </SelectField>
        <CheckField label="Hear the echo" checked={form.hear} onChange={set('hear')} />
        <TextField
          label="Seconds"
          ariaLabel="WebRTC duration seconds"
          size={4}
          value={form.duration}
          onChange={set('duration')}
          disabled={disabled}
        />
      </div>
    </details>
  );
}
