import type { Candidate, WebrtcResult } from '../../../../shared/contracts/webrtc.ts';
import { Badge } from '../../components/Tone.tsx';
import type { WebrtcView } from './webrtc-controller.ts';

export const candidateText = (c: Candidate) =>
  `${c.type}${c.type === 'relay' && c.relayProtocol ? ` via TURN/${c.relayProtocol.toUpperCase()}` : ''} ${c.protocol.toUpperCase()} ${c.address ?? '?'}:${c.port ?? '?'}`;

/** ICE: what was gathered and the pair the browser chose (host / srflx / prflx / relay). */
export function IcePanel({ view, result }: { view: WebrtcView; result: WebrtcResult | null }) {
  const cands = result?.ice.localCandidates ?? view.candidates;
  const count = (t: Candidate['type']) => cands.filter((c) => c.type === t).length;
  const pair = result?.ice.selectedPair ?? view.pair;
  return (
    <section className="card" aria-label="ICE" data-testid="webrtc-ice">
      <h2>Connection path</h2>
      <p>
        Candidates gathered: host {count('host')}, server-reflexive {count('srflx')}, relay {count('relay')}
        {result?.ice.policy === 'relay' ? ' (relay only)' : ''}
      </p>
      {pair ? (
        <p data-testid="webrtc-pair">
          Chosen pair: <strong>{candidateText(pair.local)}</strong> ↔{' '}
          <strong>{candidateText(pair.remote)}</strong>
          {pair.local.type === 'relay' || pair.remote.type === 'relay' ? (
            <Badge tone="warning">through the relay</Badge>
          ) : (
            <Badge tone="ok">direct</Badge>
          )}
        </p>
      ) : (
        <p className="muted">No candidate pair chosen {view.running ? 'yet' : ''}</p>
      )}
      {result && (
        <ul className="small">
          <li>WebSocket: {result.websocket.message}</li>
          <li>
            ICE {result.ice.iceState ?? '—'}
            {result.ice.connectedAfterMs !== null ? ` after ${result.ice.connectedAfterMs} ms` : ''}; DTLS{' '}
            {result.dtls.state ?? '—'}
            {result.dtls.srtpCipher ? ` (${result.dtls.srtpCipher})` : ''}
          </li>
          <li>
            Audio {result.audio.codec ?? '—'}: sent {result.audio.packetsSent}, received{' '}
            {result.audio.packetsReceived}; echo {result.audio.echoHeard ? 'heard' : 'not heard'}
          </li>
          {result.ice.serverErrors.map((e, i) => (
            <li key={i} className="warning">
              {e.url}: {e.code} {e.text}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The result's findings with their advice (the same rules as the report). */
export function WebrtcFindings({ result }: { result: WebrtcResult }) {
  return (
    <section aria-label="WebRTC findings" data-testid="webrtc-findings">
      {result.findings.map((f) => (
        <div key={f.id} className={`notice ${f.severity === 'ok' ? 'ok' : 'warning'}`}>
          <strong>
            <code>{f.id}</code> {f.title}
          </strong>
          {f.advice.length > 0 && (
            <ul className="small">
              {f.advice.map((a, i) => (
                <li key={i}>{a}</li>
              ))}
            </ul>
          )}
        </div>
      ))}
    </section>
  );
}
