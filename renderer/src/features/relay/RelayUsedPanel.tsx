import { useEffect } from 'react';
import type { CallResult } from '../../../../shared/contracts/call.ts';
import { echoVerdict } from '../../../../shared/model/echo-verdict.ts';
import { useSession, useSessionState } from '../../app/session/session-context.tsx';

/**
 * Under the echo call's results: which relay the media went through, and the last direct and the
 * last relayed call side by side ("direct: one-way audio · through relay: MOS 4.4").
 */
export function RelayUsedPanel() {
  const call = useSession().results.call;
  const [direct, setDirect] = useSessionState<CallResult | null>('relay.lastDirect', null);
  const [relayed, setRelayed] = useSessionState<CallResult | null>('relay.lastRelayed', null);
  useEffect(() => {
    if (!call) return;
    if (call.relay) setRelayed(call);
    else setDirect(call);
  }, [call, setDirect, setRelayed]);
  const relay = call?.relay;
  if (!relayed) return null;
  return (
    <div className="notice" data-testid="relay-compare">
      {relay && (
        <p>
          Media went through the TURN relay <span className="mono">{relay.server}</span> over{' '}
          {relay.transport.toUpperCase()}: relayed RTP <span className="mono">{relay.relayedRtp}</span>, RTCP{' '}
          <span className="mono">{relay.relayedRtcp}</span>.
        </p>
      )}
      <p>
        <strong>direct:</strong>{' '}
        {direct ? echoVerdict(direct) : 'not run yet (untick “Through relay” and call again)'}
        {' · '}
        <strong>through relay:</strong> {echoVerdict(relayed)}
      </p>
    </div>
  );
}
