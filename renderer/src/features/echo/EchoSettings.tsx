import {
  AccountFields,
  CheckField,
  SelectField,
  TextField,
  type AccountValues,
} from '../../components/Field.tsx';

export type AudioMode = 'test-signal' | 'microphone';

/** The echo step's form, kept in the session so it survives switching steps. */
export interface EchoForm {
  preset: string;
  customUri: string;
  transport: 'udp' | 'tcp' | 'tls';
  advertise: 'local' | 'stun';
  stunServer: string;
  duration: string;
  useAccount: boolean;
  account: AccountValues;
  audioMode: AudioMode;
  hear: boolean;
  muted: boolean;
}

export const EMPTY_ECHO_FORM: EchoForm = {
  preset: '',
  customUri: '',
  transport: 'udp',
  advertise: 'local',
  stunServer: '',
  duration: '10',
  useAccount: false,
  account: { registrar: '', user: '', password: '' },
  audioMode: 'test-signal',
  hear: true,
  muted: false,
};

type Setter = <K extends keyof EchoForm>(k: K) => (v: EchoForm[K]) => void;

/** Transport, advertised address, account and audio: behind a disclosure, the defaults suit most. */
export function EchoSettings({ form, set, disabled }: { form: EchoForm; set: Setter; disabled: boolean }) {
  return (
    <details className="advanced" data-testid="echo-settings">
      <summary>
        Call settings{' '}
        <span className="muted small">
          ({form.transport.toUpperCase()},{' '}
          {form.advertise === 'stun' ? 'STUN-mapped address' : 'local address'}
          {form.useAccount ? `, account ${form.account.user || '?'}` : ''},{' '}
          {form.audioMode === 'microphone' ? 'microphone' : 'test tone'})
        </span>
      </summary>
      <div className="form-row">
        <SelectField
          label="Transport"
          ariaLabel="SIP transport"
          value={form.transport}
          onChange={(v) => set('transport')(v as EchoForm['transport'])}
          disabled={disabled}
        >
          <option value="udp">UDP</option>
          <option value="tcp">TCP</option>
          <option value="tls">TLS</option>
        </SelectField>
        <SelectField
          label="Advertise"
          value={form.advertise}
          onChange={(v) => set('advertise')(v as EchoForm['advertise'])}
          disabled={disabled}
        >
          <option value="local">Local address</option>
          <option value="stun">STUN-mapped address</option>
        </SelectField>
        {form.advertise === 'stun' && (
          <TextField
            label="STUN server"
            ariaLabel="STUN server for SDP"
            value={form.stunServer}
            onChange={set('stunServer')}
            disabled={disabled}
          />
        )}
        <SelectField
          label="Audio out"
          value={form.audioMode}
          onChange={(v) => set('audioMode')(v as AudioMode)}
          disabled={disabled}
        >
          <option value="test-signal">Test tone with markers</option>
          <option value="microphone">Microphone (hear yourself)</option>
        </SelectField>
        <CheckField label="Play the echo" checked={form.hear} onChange={set('hear')} disabled={disabled} />
        <CheckField label="Mute" checked={form.muted} onChange={set('muted')} />
      </div>
      <div className="form-row">
        <CheckField
          label="Register with an account first"
          checked={form.useAccount}
          onChange={set('useAccount')}
          disabled={disabled}
        />
        {form.useAccount && (
          <AccountFields
            values={form.account}
            onChange={set('account')}
            disabled={disabled}
            labelPrefix="SIP"
          />
        )}
      </div>
    </details>
  );
}
