import type { CheckDefaults } from '../../../../shared/contracts/app.ts';
import { AccountFields, CheckField, TextField, type AccountValues } from '../../components/Field.tsx';
import { parseServerText } from '../nat/server-list.ts';
import type { CheckPlan } from './check.ts';

/** What a user may set instead of the defaults: their own PBX and their own companion server. */
export interface AdvancedValues {
  stunServers: string;
  reflector: string;
  echoUri: string;
  account: AccountValues;
  probeRouter: boolean;
}

export const EMPTY_ADVANCED: AdvancedValues = {
  stunServers: '',
  reflector: '',
  echoUri: '',
  account: { registrar: '', user: '', password: '' },
  probeRouter: true,
};

/** The check's plan: each advanced input that is filled in replaces its default. */
export function planFromAdvanced(d: CheckDefaults, v: AdvancedValues): CheckPlan {
  const stun = parseServerText(v.stunServers);
  const a = v.account;
  const account =
    a.registrar.trim() && a.user.trim()
      ? { registrar: a.registrar.trim(), username: a.user.trim(), password: a.password }
      : undefined;
  return {
    stunServers: stun.length ? stun : d.stunServers,
    reflector: v.reflector.trim() || d.reflector,
    echoUri: v.echoUri.trim() || d.echoUri,
    ...(account ? { account } : {}),
    router: v.probeRouter ? {} : null,
    routerSkip: 'turned off in the advanced settings',
    callSeconds: 5,
  };
}

export function AdvancedInputs(props: {
  defaults: CheckDefaults;
  values: AdvancedValues;
  onChange(v: AdvancedValues): void;
  disabled: boolean;
}) {
  const { defaults: d, values: v, disabled } = props;
  const set =
    <K extends keyof AdvancedValues>(k: K) =>
    (x: AdvancedValues[K]) =>
      props.onChange({ ...v, [k]: x });
  return (
    <details className="advanced" data-testid="check-advanced">
      <summary>
        Advanced: your own PBX or companion server{' '}
        <span className="muted small">
          ({d.source === 'configured' ? 'defaults set by this host' : 'built-in defaults'}: STUN{' '}
          {d.stunServers.join(', ')}; echo {d.echoUri}
          {d.reflector ? `; reflector ${d.reflector}` : ''})
        </span>
      </summary>
      <div className="form-row">
        <TextField
          label="STUN servers (comma-separated)"
          ariaLabel="Check STUN servers"
          grow
          placeholder={d.stunServers.join(', ')}
          value={v.stunServers}
          onChange={set('stunServers')}
          disabled={disabled}
        />
        <TextField
          label="Companion server (natscope server) for the SIP ALG test"
          ariaLabel="Check reflector"
          grow
          placeholder={d.reflector ?? 'none: heuristics via the STUN server'}
          value={v.reflector}
          onChange={set('reflector')}
          disabled={disabled}
        />
      </div>
      <div className="form-row">
        <TextField
          label="Echo service (SIP URI)"
          ariaLabel="Check echo URI"
          grow
          placeholder={d.echoUri}
          value={v.echoUri}
          onChange={set('echoUri')}
          disabled={disabled}
        />
        <AccountFields values={v.account} onChange={set('account')} disabled={disabled} labelPrefix="PBX" />
      </div>
      <CheckField
        label="Ask the router (UPnP IGD, NAT-PMP, PCP; read-only, nothing is changed)"
        checked={v.probeRouter}
        onChange={set('probeRouter')}
        disabled={disabled}
      />
    </details>
  );
}
