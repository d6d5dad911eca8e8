import { useEffect } from 'react';
import type { MonitorInput } from '../../../../shared/contracts/monitor.ts';
import { useBridge } from '../../app/bridge-context.tsx';
import { demoStunServer, useDemo } from '../../app/demo-context.tsx';
import { useSessionState } from '../../app/session/session-context.tsx';
import { AccountFields, CheckField, TextField } from '../../components/Field.tsx';

export interface MonitorForm {
  stunServer: string;
  intervalSec: string;
  echoUri: string;
  echoEvery: string;
  echoSeconds: string;
  sipPort: string;
  router: boolean;
  registrar: string;
  user: string;
  password: string;
}

const EMPTY: MonitorForm = {
  stunServer: '',
  intervalSec: '60',
  echoUri: '',
  echoEvery: '10',
  echoSeconds: '10',
  sipPort: '5060',
  router: true,
  registrar: '',
  user: '',
  password: '',
};

/** The form as `monitor.run` input (blank fields left out; the host checks the rest). */
export function monitorInput(f: MonitorForm): MonitorInput {
  const num = (s: string) => (s.trim() === '' ? undefined : Number(s));
  return {
    ...(f.stunServer.trim() ? { stunServer: f.stunServer.trim() } : {}),
    ...(num(f.intervalSec) !== undefined ? { intervalSec: num(f.intervalSec) } : {}),
    ...(f.echoUri.trim()
      ? {
          echoUri: f.echoUri.trim(),
          echoEvery: num(f.echoEvery) ?? 10,
          echoSeconds: num(f.echoSeconds) ?? 10,
        }
      : {}),
    ...(num(f.sipPort) !== undefined ? { sipPort: num(f.sipPort) } : {}),
    router: f.router,
    ...(f.registrar.trim() && f.user.trim()
      ? { account: { registrar: f.registrar.trim(), username: f.user.trim(), password: f.password } }
      : {}),
  };
}

/** The monitor's options, kept in the session; prefilled from the host's defaults or the offline demo. */
export function useMonitorForm() {
  const { bridge } = useBridge();
  const { demo } = useDemo();
  const [form, setForm] = useSessionState<MonitorForm>('monitor.form', EMPTY);
  useEffect(() => {
    if (form.stunServer || form.echoUri) return;
    if (demo) {
      // The demo's companion server answers SIP on 5060 itself: watch another local port.
      setForm((f) => ({
        ...f,
        stunServer: demoStunServer(demo),
        echoUri: demo.echoUri,
        sipPort: '5070',
        router: false,
      }));
      return;
    }
    bridge.call('app.checkDefaults', {}).then(
      (d) =>
        setForm((f) => (f.stunServer ? f : { ...f, stunServer: d.stunServers[0] ?? '', echoUri: d.echoUri })),
      () => undefined,
    );
  }, [bridge, demo, form.stunServer, form.echoUri, setForm]);
  return [form, setForm] as const;
}

export function MonitorSettings({
  form,
  onChange,
  disabled,
}: {
  form: MonitorForm;
  onChange(patch: Partial<MonitorForm>): void;
  disabled: boolean;
}) {
  return (
    <>
      <div className="form-row">
        <TextField
          label="STUN server"
          value={form.stunServer}
          onChange={(v) => onChange({ stunServer: v })}
          disabled={disabled}
          grow
        />
        <TextField
          label="Interval (s)"
          inputMode="numeric"
          value={form.intervalSec}
          onChange={(v) => onChange({ intervalSec: v })}
          disabled={disabled}
          size={5}
        />
        <TextField
          label="Local SIP port"
          inputMode="numeric"
          value={form.sipPort}
          onChange={(v) => onChange({ sipPort: v })}
          disabled={disabled}
          size={6}
        />
        <CheckField
          label="Ask the router (UPnP, NAT-PMP, PCP)"
          checked={form.router}
          onChange={(v) => onChange({ router: v })}
          disabled={disabled}
        />
      </div>
      <div className="form-row">
        <TextField
          label="Echo URI (optional)"
          value={form.echoUri}
          onChange={(v) => onChange({ echoUri: v })}
          disabled={disabled}
          grow
        />
        <TextField
          label="Echo call every N intervals"
          inputMode="numeric"
          value={form.echoEvery}
          onChange={(v) => onChange({ echoEvery: v })}
          disabled={disabled}
          size={5}
        />
        <TextField
          label="Echo call seconds"
          inputMode="numeric"
          value={form.echoSeconds}
          onChange={(v) => onChange({ echoSeconds: v })}
          disabled={disabled}
          size={4}
        />
      </div>
      <details className="advanced">
        <summary>Keep an account registered (optional)</summary>
        <div className="form-row">
          <AccountFields
            labelPrefix="Account"
            values={{ registrar: form.registrar, user: form.user, password: form.password }}
            onChange={(a) => onChange(a)}
            disabled={disabled}
          />
        </div>
      </details>
    </>
  );
}
