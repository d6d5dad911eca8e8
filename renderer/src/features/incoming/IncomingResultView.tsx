import type { IncomingResult } from '../../../../shared/contracts/incoming.ts';
import { describeBracket } from '../../../../shared/model/incoming/compare.ts';
import { FindingNotice } from '../../components/FindingNotice.tsx';

/** The STUN lifetimes on a random port and on 5060, in a word: a router may treat 5060 differently. */
const AGREEMENT = {
  agree: 'no difference found',
  disagree: 'differs on port 5060',
  unknown: 'not comparable',
} as const;

type PortBracket = NonNullable<IncomingResult['stun']>['randomPort'];

/** One port's lifetime; when it was not measured, why (the note says). */
function portLifetime(b: PortBracket): string {
  if (!b) return 'not measured';
  const d = describeBracket(b);
  return b.note && b.aliveAfterSeconds === null && b.deadAfterSeconds === null ? `${d}: ${b.note}` : d;
}

/** Why there is no keep-alive check: it only runs with a natscope server, and only matters after a failure. */
function keepAliveNotRun(r: IncomingResult): string {
  if (r.mode === 'pbx') return 'not run against your own PBX (no server to call back)';
  if (r.firstFailingIdleSeconds === null) return 'not needed: nothing failed';
  return 'not run';
}

const sec = (v: number | null) => (v === null ? '—' : `${v} s`);

/** The verdict, the numbers behind it, the keep-alive check, the STUN comparison and where to set the keep-alive. */
export function IncomingResultView({ r }: { r: IncomingResult }) {
  const k = r.keepAlive;
  return (
    <div data-testid="incoming-result">
      {r.findings.map((f) => (
        <FindingNotice key={f.id} f={f} testId={`incoming-finding-${f.id}`} />
      ))}
      <div className="cards">
        <div className="card">
          <div className="card-label">Longest silence a call survived</div>
          <div className="card-value">{sec(r.longestWorkingIdleSeconds)}</div>
          <div className="card-sub">first failing: {sec(r.firstFailingIdleSeconds)}</div>
        </div>
        <div className="card">
          <div className="card-label">Keep-alive to set</div>
          <div className="card-value">
            {r.recommendedKeepAliveSeconds === null ? '—' : `every ${r.recommendedKeepAliveSeconds} s`}
          </div>
          <div className="card-sub">re-registration: keep it at {r.reRegistrationSeconds / 60} min</div>
        </div>
        <div className="card">
          <div className="card-label">Keep-alive check</div>
          <div className="card-value">
            {r.keepAliveFixes === null ? '—' : r.keepAliveFixes ? 'fixes it' : 'does not fix it'}
          </div>
          <div className="card-sub">
            {k
              ? `${k.method} every ${k.intervalSeconds} s, idle ${k.idleSeconds} s: ${k.received ? 'call arrived' : 'no call'} (${k.sent} sent, ${k.pongs} answered)`
              : keepAliveNotRun(r)}
          </div>
        </div>
        {r.stun && (
          <div className="card" data-testid="incoming-stun">
            <div className="card-label">STUN binding lifetime</div>
            <div className="card-value">{AGREEMENT[r.stun.agreement]}</div>
            <div className="card-sub">random port: {portLifetime(r.stun.randomPort)}</div>
            <div className="card-sub">port 5060: {portLifetime(r.stun.sipPort)}</div>
          </div>
        )}
      </div>
      {r.advice.length > 0 && (
        <>
          <h2>Where to set a keep-alive every {r.recommendedKeepAliveSeconds} s</h2>
          <table className="data small" aria-label="Keep-alive settings">
            <thead>
              <tr>
                <th>Where</th>
                <th>Keep-alive</th>
                <th>Re-registration (keep it separate)</th>
              </tr>
            </thead>
            <tbody>
              {r.advice.map((a) => (
                <tr key={a.product}>
                  <td>{a.product}</td>
                  <td>
                    {a.keepAlive.map((s) => (
                      <div key={s} className="mono small">
                        {s}
                      </div>
                    ))}
                  </td>
                  <td className="small">{a.reRegistration}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {r.warnings.map((w) => (
        <div key={w} className="notice warning small">
          {w}
        </div>
      ))}
    </div>
  );
}
