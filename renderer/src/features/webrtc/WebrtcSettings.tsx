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

type TextKey = { [K in keyof WebrtcForm]: WebrtcForm[K] extends string ? K : never }[keyof WebrtcForm];
type Setter = <K extends keyof WebrtcForm>(k: K) => (v: WebrtcForm[K]) => void;

/** One text field of the form: its label, the form key it edits; secrets are never autofilled. */
export function FormText(p: {
  form: WebrtcForm;
  set: Setter;
  k: TextKey;
  label: string;
  disabled: boolean;
  grow?: boolean;
  placeholder?: string;
  secret?: boolean;
  size?: number;
  ariaLabel?: string;
}) {
  return (
    <TextField
      label={p.label}
      ariaLabel={p.ariaLabel}
      grow={p.grow}
      placeholder={p.placeholder}
      size={p.size}
      {...(p.secret ? { type: 'password', autoComplete: 'off' } : {})}
      value={p.form[p.k]}
      onChange={p.set(p.k)}
      disabled={p.disabled}
    />
  );
}

export function WebrtcSettings(props: {
  form: WebrtcForm;
  set: Setter;
  disabled: boolean;
  /** The Relay card's TURN server, when it has a complete user + password account. */
  relayTurn?: Pick<WebrtcForm, 'turn' | 'turnUser' | 'turnPassword'> | null;
  useRelayTurn?: () => void;
}) {
  const { form, set, disabled, relayTurn, useRelayTurn } = props;
  const f = { form, set, disabled };
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
            <FormText {...f} k="user" label="User" />
            <FormText {...f} k="password" label="Password" secret />
          </>
        )}
      </div>
      <div className="form-row">
        <FormText {...f} k="stun" label="STUN server" grow placeholder="stun:stun.example.com:3478" />
        <FormText
          {...f}
          k="turn"
          label="TURN server"
          grow
          placeholder="turn:turn.example.com:3478?transport=tcp"
        />
        <FormText {...f} k="turnUser" label="TURN user" />
        <FormText {...f} k="turnPassword" label="TURN password" secret />
        {relayTurn && relayTurn.turn !== form.turn && (
          <button type="button" onClick={useRelayTurn} disabled={disabled}>
            Use the Relay card&apos;s TURN server ({relayTurn.turn})
          </button>
        )}
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
        <FormText {...f} k="duration" label="Seconds" ariaLabel="WebRTC duration seconds" size={4} />
      </div>
    </details>
  );
}
