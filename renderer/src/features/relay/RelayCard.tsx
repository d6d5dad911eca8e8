import type { TurnReport } from '../../../../shared/contracts/turn.ts';
import { recordAs } from '../../app/session/record.ts';
import { useRun, useSession, useSessionState } from '../../app/session/session-context.tsx';
import { SelectField, TextField } from '../../components/Field.tsx';
import { FindingNotice } from '../../components/FindingNotice.tsx';
import { Badge, type Tone } from '../../components/Tone.tsx';
import {
  EMPTY_SETTINGS,
  RELAY_SETTINGS,
  settingsComplete,
  turnTestInput,
  type RelaySettings,
} from './relay-settings.ts';

const RECORD = { record: recordAs('turn') };

const REACH: Record<TurnReport['candidates'][number]['reachable'], { tone: Tone; word: string }> = {
  yes: { tone: 'ok', word: 'yes' },
  'after-outbound': { tone: 'warning', word: 'only after we send first' },
  no: { tone: 'problem', word: 'no' },
  unknown: { tone: 'unknown', word: 'unknown' },
};

/**
 * The NAT step's "Relay" card: would a TURN relay work from here? Allocates on the user's TURN
 * server (UDP, TCP or TLS), lists the ICE-style candidates with whether a peer on the internet could
 * reach each (judged against the NAT result above), and the relay findings.
 */
export function RelayCard() {
  const [s, setS] = useSessionState<RelaySettings>(RELAY_SETTINGS, EMPTY_SETTINGS);
  const { state, run } = useRun('relay', 'turn.test', RECORD);
  const nat = useSession().results.nat;
  const running = state.status === 'running';
  const r = state.status === 'done' ? state.output : null;
  const set =
    <K extends keyof RelaySettings>(k: K) =>
    (v: string) =>
      setS((prev) => ({ ...prev, [k]: v as RelaySettings[K] }));
  return (
    <section className="relay-card" aria-labelledby="relay-title" data-testid="relay-card">
      <h2 id="relay-title">Relay (TURN)</h2>
      <p className="muted small">
        Would a media relay fix it? NatScope allocates a relayed address on your TURN server and shows which
        of your addresses a peer on the internet could reach.
      </p>
      <div className="form-row">
        <TextField
          label="TURN server"
          grow
          value={s.server}
          onChange={set('server')}
          placeholder="turn.example.org:3478"
          disabled={running}
        />
        <SelectField
          label="Transport"
          ariaLabel="TURN transport"
          value={s.transport}
          onChange={set('transport')}
          disabled={running}
        >
          <option value="udp">UDP</option>
          <option value="tcp">TCP</option>
          <option value="tls">TLS</option>
        </SelectField>
        <SelectField label="Credentials" value={s.auth} onChange={set('auth')} disabled={running}>
          <option value="password">User + password</option>
          <option value="secret">Shared secret (REST)</option>
        </SelectField>
        <TextField
          label="User"
          ariaLabel="TURN user"
          value={s.username}
          onChange={set('username')}
          size={10}
          disabled={running}
        />
        {s.auth === 'password' ? (
          <TextField
            label="Password"
            ariaLabel="TURN password"
            type="password"
            autoComplete="off"
            value={s.password}
            onChange={set('password')}
            size={10}
            disabled={running}
          />
        ) : (
          <TextField
            label="Secret"
            ariaLabel="TURN shared secret"
            type="password"
            autoComplete="off"
            value={s.secret}
            onChange={set('secret')}
            size={10}
            disabled={running}
          />
        )}
        <button
          type="button"
          className="primary"
          disabled={running || !settingsComplete(s)}
          onClick={() => run(turnTestInput(s, nat))}
        >
          {running ? 'Testing…' : 'Test relay'}
        </button>
      </div>
      {state.status === 'failed' && (
        <div className="error-banner" role="alert">
          Relay test failed: {state.error.message}
        </div>
      )}
      {r && <RelayResult r={r} />}
    </section>
  );
}

function RelayResult({ r }: { r: TurnReport }) {
  return (
    <div data-testid="relay-result">
      <div className="headline">
        <div>
          <div className="card-label">Relayed address</div>
          <div className="headline-value mono">{r.relayedAddress ?? 'none'}</div>
          <div className="muted small">
            {r.allocated
              ? `allocated over ${r.transport.toUpperCase()} in ${r.timings.allocateMs ?? '?'} ms · realm ${r.realm ?? '—'} · lifetime ${r.lifetimeSeconds ?? '?'} s`
              : r.error?.message}
          </div>
        </div>
      </div>
      <table className="data small" aria-label="Candidates">
        <thead>
          <tr>
            <th>Type</th>
            <th>Proto</th>
            <th>Address</th>
            <th>Learnt from</th>
            <th>ms</th>
            <th>Reachable from the internet</th>
          </tr>
        </thead>
        <tbody>
          {r.candidates.map((c, i) => (
            <tr key={i}>
              <td>{c.type}</td>
              <td>{c.transport}</td>
              <td className="mono">{c.address}</td>
              <td>{c.source}</td>
              <td>{c.gatherMs ?? '—'}</td>
              <td title={c.why}>
                <Badge tone={REACH[c.reachable].tone}>{REACH[c.reachable].word}</Badge>{' '}
                <span className="muted small">{c.why}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {r.findings.map((f) => (
        <FindingNotice key={f.id} f={f} />
      ))}
    </div>
  );
}
