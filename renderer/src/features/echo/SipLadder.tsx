import { memo } from 'react';
import type { SipLogEntryDto } from '../../../../shared/contracts/call.ts';

/** A SIP ladder: one row per message, arrow by direction, each raw message expandable (already redacted). */
export const SipLadder = memo(function SipLadder({
  messages,
  local,
  remote,
}: {
  messages: SipLogEntryDto[];
  local: string;
  remote: string;
}) {
  return (
    <div className="ladder" data-testid="sip-ladder">
      <div className="ladder-head">
        <span className="mono">NatScope {local}</span>
        <span className="mono">{remote}</span>
      </div>
      {messages.map((m) => (
        <details key={m.index} className={`ladder-row ${m.direction}`}>
          <summary>
            <span className="ladder-time mono">{(m.atMs / 1000).toFixed(3)} s</span>
            <span className="ladder-arrow">
              <span className="ladder-label">
                {m.summary}
                {m.retransmission ? ' (retransmission)' : ''}
              </span>
              <span className="ladder-line" aria-hidden="true" />
            </span>
          </summary>
          <pre className="mono">{m.raw}</pre>
        </details>
      ))}
    </div>
  );
});
