import { publicAddresses } from '../../features/home/public-address.ts';
import { useRegistry } from '../registry-context.tsx';
import { useSession } from '../session/session-context.tsx';
import type { VerdictRow } from '../registry.ts';
import { ToneDot, type LightTone } from '../../components/Tone.tsx';
import { useDemo } from '../demo-context.tsx';

const RANK: Partial<Record<LightTone, number>> = { problem: 0, warning: 1, info: 2, ok: 3 };

/** The worst judged light among the rows, or null while nothing is judged yet. */
export function overallTone(rows: VerdictRow[]): LightTone | null {
  const judged = rows.map((r) => r.tone).filter((t) => RANK[t] !== undefined);
  if (judged.length === 0) return null;
  return judged.sort((a, b) => RANK[a]! - RANK[b]!)[0]!;
}

const OVERALL_WORDS: Partial<Record<LightTone, string>> = {
  problem: 'Calls will break',
  warning: 'Calls may have trouble',
  info: 'Calls should work',
  ok: 'Calls should work',
};

/** Always on screen once known: the public address and the overall verdict. */
export function StatusHeader() {
  const session = useSession();
  const { verdicts } = useRegistry();
  const { demo } = useDemo();
  const seen = publicAddresses(session.results, { demo: demo !== null });
  const rows = verdicts.map((v) => v.evaluate(session));
  const tone = overallTone(rows);
  const checking = rows.some((r) => r.tone === 'running');
  const address = seen.ipv4?.address ?? seen.ipv6?.address ?? null;
  return (
    <div className="status-header" aria-label="Connection status" role="group">
      <span className="status-item" data-testid="header-public-ip">
        <span className="status-label">Public IP</span>{' '}
        <span className="mono">
          {address
            ? seen.loopback || demo
              ? `${address} (loopback demo)`
              : address
            : checking
              ? 'checking…'
              : '—'}
        </span>
        {seen.ipv4 && seen.ipv6 && <span className="mono small"> · {seen.ipv6.address}</span>}
      </span>
      <span className="status-item" data-testid="header-verdict">
        {tone ? (
          <>
            <ToneDot tone={checking ? 'running' : tone} /> {checking ? 'Checking… ' : ''}
            {OVERALL_WORDS[tone]}
          </>
        ) : (
          <span className="status-label">{checking ? 'Checking…' : 'Not checked yet'}</span>
        )}
      </span>
    </div>
  );
}
