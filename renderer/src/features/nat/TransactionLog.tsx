import type { NatTransaction } from '../../../../shared/contracts/nat.ts';

const attrs = (list: { name: string; value: string }[] | null) =>
  list && list.length ? list.map((a) => `${a.name} ${a.value}`).join(', ') : '—';

/** The raw STUN log: what was sent where, and what came back from where (the evidence). */
export function TransactionLog({ transactions }: { transactions: NatTransaction[] }) {
  return (
    <details className="raw-log" data-testid="nat-transactions">
      <summary>Raw STUN transaction log ({transactions.length})</summary>
      <table className="data small">
        <thead>
          <tr>
            <th>Test / step</th>
            <th>Local → destination</th>
            <th>Sent</th>
            <th>Outcome</th>
            <th>Answer from</th>
            <th>Answer</th>
            <th>RTT</th>
          </tr>
        </thead>
        <tbody>
          {transactions.map((t) => (
            <tr key={`${t.id}-${t.server}-${t.run}`}>
              <td>
                {t.test}
                <div className="muted">{t.step}</div>
              </td>
              <td className="mono">
                {t.local} → {t.destination}
              </td>
              <td className="mono">{attrs(t.sent)}</td>
              <td>
                {t.outcome}
                {t.transmissions > 1 ? ` (${t.transmissions}×)` : ''}
              </td>
              <td className="mono">
                {t.responseFrom ?? '—'}
                {t.receivedOn ? <div className="muted">on {t.receivedOn}</div> : null}
              </td>
              <td className="mono">{attrs(t.response)}</td>
              <td className="mono">{t.rttMs !== null ? `${t.rttMs.toFixed(1)} ms` : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
