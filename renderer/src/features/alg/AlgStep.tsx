import type { AlgPath, AlgResult } from '../../../../shared/contracts/alg.ts';
import { recordAs } from '../../app/session/record.ts';
import { useRun, useSession, useSessionState } from '../../app/session/session-context.tsx';
import { Badge, type Tone } from '../../components/Tone.tsx';
import { TextField } from '../../components/Field.tsx';
import { RunButton } from '../../components/RunButton.tsx';

const pathTone = (s: AlgPath['status']): Tone =>
  s === 'untouched'
    ? 'ok'
    : s === 'rewritten' || s === 'partial'
      ? 'problem'
      : s === 'dropped'
        ? 'warning'
        : 'unknown';

function PathRows({ path }: { path: AlgPath }) {
  const changes = path.messages.flatMap((m) => [
    ...m.outbound.map((c) => ({ ...c, dir: 'out', method: m.method })),
    ...m.inbound.map((c) => ({ ...c, dir: 'in', method: m.method })),
  ]);
  return (
    <>
      <tr>
        <td>{path.transport}</td>
        <td className="mono">{path.destinationPort}</td>
        <td className="mono">
          {path.sourcePort ?? '—'} <span className="muted">({path.sourcePortKind})</span>
        </td>
        <td>
          <Badge tone={pathTone(path.status)}>{path.status}</Badge>
        </td>
        <td>
          {[...path.rewrittenFields, ...path.inboundRewrittenFields.map((f) => `${f} (inbound)`)].join(
            ', ',
          ) || '—'}
          {path.note && <div className="muted small">{path.note}</div>}
        </td>
      </tr>
      {changes.length > 0 && (
        <tr className="sub">
          <td colSpan={5}>
            <table className="data small">
              <tbody>
                {changes.map((c, i) => (
                  <tr key={i}>
                    <td>
                      {c.method} {c.dir === 'out' ? '→' : '←'}
                    </td>
                    <td>{c.field}</td>
                    <td>{c.kind}</td>
                    <td className="mono">{c.before ?? '∅'}</td>
                    <td className="mono">{c.after ?? '∅'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </td>
        </tr>
      )}
    </>
  );
}

function AlgResultView({ result }: { result: AlgResult }) {
  return (
    <>
      <div className={result.algDetected ? 'error-banner' : 'notice ok'} data-testid="alg-verdict">
        <strong>
          {result.algDetected ? 'SIP ALG detected' : 'No SIP ALG detected'} (
          {result.mode === 'reflector' ? 'reflector: conclusive' : 'heuristics: weaker evidence'}
          {result.loopbackDemo ? ', loopback demo — no router in the path' : ''})
        </strong>
        <div>{result.summary}</div>
      </div>
      {result.wrongAddress && (
        <div className="error-banner" data-testid="alg-wrong-address">
          The ALG wrote <span className="mono">{result.wrongAddress.written}</span> (
          {result.wrongAddress.writtenClass}) but the internet sees you as{' '}
          <span className="mono">{result.wrongAddress.publicAddress}</span>. {result.wrongAddress.explanation}
        </div>
      )}
      {result.paths.length > 0 && (
        <table className="data" aria-label="SIP ALG paths">
          <thead>
            <tr>
              <th>Transport</th>
              <th>To port</th>
              <th>From port</th>
              <th>Result</th>
              <th>Rewritten fields</th>
            </tr>
          </thead>
          <tbody>
            {result.paths.map((p) => (
              <PathRows key={`${p.transport}-${p.destinationPort}-${p.sourcePortKind}`} path={p} />
            ))}
          </tbody>
        </table>
      )}
      {result.heuristics.map((h) => (
        <div key={h.id} className={h.suggestsAlg ? 'notice warning' : 'notice'}>
          <Badge tone={h.suggestsAlg ? 'warning' : 'ok'}>{h.suggestsAlg ? 'suggests ALG' : 'no sign'}</Badge>{' '}
          <strong>{h.title}</strong> — {h.detail}
        </div>
      ))}
      {result.advice.length > 0 && (
        <>
          <h2>What to do</h2>
          <ul>
            {result.advice.map((a) => (
              <li key={a.id}>
                <strong>{a.title}</strong> — {a.detail}
              </li>
            ))}
          </ul>
        </>
      )}
      {result.warnings.map((w) => (
        <div key={w} className="notice warning">
          {w}
        </div>
      ))}
    </>
  );
}

const RECORD = { record: recordAs('alg') };

export function AlgStep({
  presetReflector,
  presetAltPort,
}: {
  presetReflector?: string;
  presetAltPort?: number;
}) {
  const { state, run, cancel } = useRun('alg', 'alg.test', RECORD);
  const result = useSession().results.alg;
  const [reflector, setReflector] = useSessionState('alg.reflector', presetReflector ?? '');
  const [sipServer, setSipServer] = useSessionState('alg.sipServer', '');
  const [stunServer, setStunServer] = useSessionState('alg.stunServer', '');
  const running = state.status === 'running';
  const start = () =>
    void run(
      reflector.trim()
        ? { reflector: reflector.trim(), ...(presetAltPort ? { altPort: presetAltPort } : {}) }
        : {
            ...(sipServer.trim() ? { sipServer: sipServer.trim() } : {}),
            ...(stunServer.trim() ? { stunServer: stunServer.trim() } : {}),
          },
    );
  const paths = state.status === 'idle' ? [] : state.events.filter((e) => 'kind' in e && e.kind === 'path');
  return (
    <>
      <p className="muted step-description">
        Does your router rewrite SIP? NatScope sends crafted SIP messages to a reflector (
        <code>natscope server</code>) and compares the bytes both ways.
      </p>
      <div className="form-row">
        <TextField
          label="Reflector (natscope server) HOST[:PORT] — conclusive"
          ariaLabel="Reflector"
          grow
          value={reflector}
          onChange={setReflector}
          disabled={running}
          placeholder="reflector.example.net:5060"
        />
        <TextField
          label="or a SIP server (heuristic)"
          ariaLabel="SIP server"
          value={sipServer}
          onChange={setSipServer}
          disabled={running || reflector.trim() !== ''}
        />
        <TextField
          label="and a STUN server"
          ariaLabel="STUN server for ALG"
          value={stunServer}
          onChange={setStunServer}
          disabled={running || reflector.trim() !== ''}
        />
        <RunButton
          running={running}
          onRun={start}
          onCancel={cancel}
          disabled={!reflector.trim() && !sipServer.trim() && !stunServer.trim()}
        >
          Test for SIP ALG
        </RunButton>
      </div>
      {running && <p role="status">Testing… {paths.length} path(s) done.</p>}
      {state.status === 'failed' && (
        <div className="error-banner" role="alert">
          ALG test failed: {state.error.message}
        </div>
      )}
      {result && !running && <AlgResultView result={result} />}
    </>
  );
}
