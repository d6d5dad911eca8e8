import type { NatReport, NatTestName } from '../../../../shared/contracts/nat.ts';
import { BEHAVIOUR_LABEL, CLASSIC_LABEL } from '../../../../shared/model/nat-classic.ts';
import { natSipMeaning, type MeaningTopic, type NatMeaning } from '../../../../shared/model/nat-meaning.ts';
import { classifyAddress } from '../../../../shared/model/address-class.ts';
import { hostOfEndpoint } from '../../../../shared/model/endpoint.ts';
import { Badge, type Tone } from '../../components/Tone.tsx';
import { TransactionLog } from './TransactionLog.tsx';

const meaningTone = (m: NatMeaning | undefined): Tone =>
  m ? (m.severity === 'unknown' ? 'unknown' : m.severity) : 'unknown';

function Card(props: { title: string; value: string; meaning?: NatMeaning; testid: string }) {
  return (
    <div className="card" data-testid={props.testid}>
      <div className="card-label">{props.title}</div>
      <div className="card-value">
        {props.value} <Badge tone={meaningTone(props.meaning)}>{props.meaning?.severity ?? 'unknown'}</Badge>
      </div>
      {props.meaning && <div className="card-sub">{props.meaning.text}</div>}
    </div>
  );
}

const SUMMARY_CLASS: Record<NatMeaning['severity'], string> = {
  problem: 'error-banner',
  warning: 'notice warning',
  ok: 'notice ok',
  unknown: 'notice',
};

const isLoopback = (ep: string | null) => {
  try {
    return ep !== null && classifyAddress(hostOfEndpoint(ep)) === 'loopback';
  } catch {
    return false;
  }
};

const yesNo = (v: boolean | null | undefined) =>
  v === null || v === undefined ? 'Unknown' : v ? 'Yes' : 'No';

export function NatResultView({ report }: { report: NatReport }) {
  const meanings = natSipMeaning({ ...report, lifetimeSeconds: report.lifetimeSeconds ?? null });
  const m = (t: MeaningTopic) => meanings.find((x) => x.topic === t);
  const summary = m('summary');
  const loopback = isLoopback(report.mappedAddress);
  const testSummary = (name: NatTestName) => report.tests.find((t) => t.name === name)?.summary;
  return (
    <>
      <div className="headline" data-testid="nat-headline">
        <div>
          <div className="card-label">NAT type</div>
          <div className="headline-value">
            {loopback
              ? 'Loopback only (demo)'
              : report.serverSilent
                ? 'Unknown: the STUN server did not answer'
                : report.udpBlocked
                  ? 'UDP blocked'
                  : report.classic
                    ? CLASSIC_LABEL[report.classic]
                    : 'Unknown'}
          </div>
          <div className="muted small">
            {loopback
              ? 'No NAT can be seen on loopback'
              : report.natDetected === false
                ? 'No NAT'
                : report.natDetected
                  ? 'NAT detected'
                  : 'NAT presence unknown'}{' '}
            · mapped <span className="mono">{report.mappedAddress ?? '—'}</span> from local{' '}
            <span className="mono">{report.localAddress ?? '—'}</span>
          </div>
          {report.udpEvidence && (
            <div className="small" data-testid="nat-udp-evidence">
              Evidence: {report.udpEvidence}
            </div>
          )}
        </div>
        <div>
          <div className="card-label">Confidence</div>
          <Badge
            tone={
              report.confidence === 'high' ? 'ok' : report.confidence === 'medium' ? 'warning' : 'problem'
            }
          >
            {report.confidence}
          </Badge>
          <div className="muted small">{report.confidenceReason}</div>
        </div>
      </div>
      {loopback ? (
        <div className="notice" data-testid="nat-loopback">
          <strong>Loopback only.</strong> The STUN server is on this computer (the offline demo), so these
          results describe the loopback interface: they say nothing about your NAT.
        </div>
      ) : (
        summary && <div className={SUMMARY_CLASS[summary.severity]}>{summary.text}</div>
      )}
      <div className="cards">
        <Card
          testid="nat-mapping"
          title="Mapping"
          value={report.mapping ? BEHAVIOUR_LABEL[report.mapping] : 'Unknown'}
          meaning={m('mapping')}
        />
        <Card
          testid="nat-filtering"
          title="Filtering"
          value={report.filtering ? BEHAVIOUR_LABEL[report.filtering] : 'Unknown'}
          meaning={m('filtering')}
        />
        <Card
          testid="nat-hairpinning"
          title="Hairpinning"
          value={yesNo(report.hairpinning)}
          meaning={m('hairpinning')}
        />
        <Card
          testid="nat-port-preservation"
          title="Port preservation"
          value={yesNo(report.portPreserved)}
          meaning={
            m('port-preservation') ?? {
              topic: 'port-preservation',
              severity: 'unknown',
              text: testSummary('port-preservation') ?? '',
            }
          }
        />
        <Card
          testid="nat-lifetime"
          title="Binding lifetime"
          value={report.lifetimeSeconds != null ? `${Math.round(report.lifetimeSeconds)} s` : 'Not measured'}
          meaning={
            m('lifetime') ?? {
              topic: 'lifetime',
              severity: 'unknown',
              text: 'Tick "Measure binding lifetime" to find how long an idle mapping lives (takes as long as the lifetime).',
            }
          }
        />
      </div>
      {report.disagreements.length > 0 && (
        <div className="notice warning" data-testid="nat-disagreements">
          <strong>Servers or runs disagree:</strong>
          <ul>
            {report.disagreements.map((d) => (
              <li key={d.field}>
                {d.field}: {d.values.map((v) => `${v.server} (run ${v.run}) → ${String(v.value)}`).join('; ')}
              </li>
            ))}
          </ul>
        </div>
      )}
      {report.warnings.map((w) => (
        <div key={w} className="notice warning">
          {w}
        </div>
      ))}
      <table className="data" aria-label="NAT tests">
        <thead>
          <tr>
            <th>Test</th>
            <th>Status</th>
            <th>Result</th>
            <th>Time</th>
          </tr>
        </thead>
        <tbody>
          {report.tests.map((t) => (
            <tr key={t.name}>
              <td>{t.name}</td>
              <td>{t.status}</td>
              <td>{t.summary}</td>
              <td className="mono">{Math.round(t.durationMs)} ms</td>
            </tr>
          ))}
        </tbody>
      </table>
      <TransactionLog transactions={report.transactions} />
    </>
  );
}
