import type { IncomingEvent } from '../../../../shared/contracts/incoming.ts';
import { demoStunServer, useDemo } from '../../app/demo-context.tsx';
import { recordAs } from '../../app/session/record.ts';
import { useRun, useSession, useSessionState, useStore } from '../../app/session/session-context.tsx';
import { SelectField, TextField } from '../../components/Field.tsx';
import { RunButton } from '../../components/RunButton.tsx';
import { IncomingResultView } from './IncomingResultView.tsx';
import {
  DEMO_IDLES,
  EMPTY_INCOMING_FORM,
  INCOMING_FORM,
  incomingInput,
  type IncomingForm,
} from './incoming-form.ts';
import { Timeline } from './Timeline.tsx';
import { timelineOf } from './timeline.ts';

const RECORD = { record: recordAs('incoming') };

/**
 * "I can call out but get no incoming calls": registrations wait, each silent for its idle time,
 * for a call back from a natscope server (or, against the user's own PBX, for the call the user
 * makes). A live timeline shows every registration turning green or red; then the verdict and
 * where to set the keep-alive.
 */
export function IncomingStep() {
  const { demo } = useDemo();
  const store = useStore();
  const { state, run, cancel } = useRun('incoming', 'incoming.test', RECORD);
  const result = useSession().results.incoming;
  const [form, setForm] = useSessionState<IncomingForm>(INCOMING_FORM, () =>
    demo ? { ...EMPTY_INCOMING_FORM, server: demo.reflector, idles: DEMO_IDLES } : EMPTY_INCOMING_FORM,
  );
  const set =
    <K extends keyof IncomingForm>(k: K) =>
    (v: IncomingForm[K]) =>
      setForm((f) => ({ ...f, [k]: v }));
  const input = incomingInput(form, demo ? demoStunServer(demo) : undefined);
  const running = state.status === 'running';
  const events = (state.status === 'idle' ? [] : state.events) as IncomingEvent[];
  const timeline = timelineOf(events);
  const start = () => {
    if (typeof input === 'string') return;
    if (input.account) store.setResult('secrets', [input.account.password]);
    void run(input);
  };
  return (
    <>
      <div className="form-row">
        <TextField
          label={form.pbx ? 'Your PBX HOST[:PORT]' : 'natscope server HOST[:PORT]'}
          ariaLabel="Server"
          grow
          value={form.server}
          onChange={set('server')}
          placeholder={form.pbx ? 'pbx.example.com' : 'companion.example.net'}
          disabled={running}
        />
        <SelectField
          label="Transport"
          ariaLabel="Incoming transport"
          value={form.transport}
          onChange={(v) => set('transport')(v as IncomingForm['transport'])}
          disabled={running}
        >
          <option value="udp">UDP</option>
          <option value="tcp">TCP</option>
          <option value="tls">TLS</option>
        </SelectField>
        <TextField
          label={form.pbx ? 'Idle time (s)' : 'Idle times (s)'}
          ariaLabel="Idle times"
          value={form.idles}
          onChange={set('idles')}
          size={16}
          disabled={running}
        />
        <TextField
          label="Keep-alive (s)"
          ariaLabel="Keep-alive interval"
          value={form.keepAlive}
          onChange={set('keepAlive')}
          placeholder="recommended"
          size={9}
          disabled={running || form.pbx}
        />
        <RunButton
          running={running}
          onRun={start}
          onCancel={cancel}
          disabled={typeof input === 'string'}
          why={typeof input === 'string' ? input : undefined}
        >
          Test incoming calls
        </RunButton>
      </div>
      <label className="check">
        <input
          type="checkbox"
          checked={form.pbx}
          onChange={(e) =>
            setForm((f) => ({
              ...f,
              pbx: e.target.checked,
              idles: e.target.checked ? '0' : EMPTY_INCOMING_FORM.idles,
            }))
          }
          disabled={running}
        />{' '}
        Against my own PBX (no natscope server): register my extension, then I call it
      </label>
      {form.pbx && (
        <div className="form-row">
          <TextField
            label="Extension"
            ariaLabel="Extension"
            value={form.user}
            onChange={set('user')}
            size={10}
            disabled={running}
          />
          <TextField
            label="Password"
            ariaLabel="Extension password"
            type="password"
            autoComplete="off"
            value={form.password}
            onChange={set('password')}
            size={10}
            disabled={running}
          />
          <TextField
            label="Domain"
            ariaLabel="Domain"
            value={form.domain}
            onChange={set('domain')}
            placeholder="the PBX host"
            disabled={running}
          />
          <TextField
            label="Wait for the call (s)"
            ariaLabel="Wait"
            value={form.wait}
            onChange={set('wait')}
            size={5}
            disabled={running}
          />
        </div>
      )}
      {running && timeline.prompt && (
        <div className="notice warning" role="alert" data-testid="incoming-prompt">
          <strong>{timeline.prompt.message}</strong>
        </div>
      )}
      {state.status === 'failed' && (
        <div className="error-banner" role="alert">
          The inbound-call test failed: {state.error.message}
        </div>
      )}
      {state.status !== 'idle' && timeline.rows.length > 0 && (
        <Timeline timeline={timeline} startedAt={state.startedAt} running={running} />
      )}
      {result && !running && <IncomingResultView r={result} />}
    </>
  );
}
