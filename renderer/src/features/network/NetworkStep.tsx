import { useEffect } from 'react';
import { ADDRESS_CLASS_LABEL, type AddressClass } from '../../../../shared/model/address-class.ts';
import { recordAs } from '../../app/session/record.ts';
import { useRun, useSession } from '../../app/session/session-context.tsx';
import type { NetworkSnapshot } from '../../../../shared/contracts/network.ts';

const CLASS_TONE: Record<AddressClass, string> = {
  loopback: 'grey',
  'link-local': 'grey',
  private: 'blue',
  cgnat: 'amber',
  ula: 'blue',
  documentation: 'green',
  multicast: 'grey',
  unspecified: 'grey',
  public: 'green',
};

export function ClassBadge({ cls }: { cls: AddressClass }) {
  return <span className={`badge ${CLASS_TONE[cls]}`}>{ADDRESS_CLASS_LABEL[cls]}</span>;
}

const RECORD = { record: recordAs('network') };

export function NetworkStep() {
  const { state, run } = useRun('network', 'network.snapshot', RECORD);
  const snap = useSession().results.network;
  // Read once when first shown; after that the session keeps the snapshot until Refresh.
  const idle = state.status === 'idle';
  useEffect(() => {
    if (idle) void run({});
  }, [idle, run]);

  return (
    <>
      <div className="toolbar">
        <button type="button" onClick={() => void run({})} disabled={state.status === 'running'}>
          {state.status === 'running' ? 'Reading…' : 'Refresh'}
        </button>
      </div>
      {state.status === 'running' && <p role="status">Reading interfaces and routes…</p>}
      {state.status === 'failed' && (
        <div className="error-banner" role="alert">
          Could not read the network: {state.error.message}
        </div>
      )}
      {snap && state.status !== 'failed' && <NetworkView snap={snap} />}
    </>
  );
}

function NetworkView({ snap }: { snap: NetworkSnapshot }) {
  return (
    <>
      <div className="cards">
        <div className="card" data-testid="primary-address">
          <div className="card-label">Primary outbound address</div>
          {snap.primary ? (
            <>
              <div className="card-value mono">{snap.primary.address}</div>
              <div className="card-sub">
                on {snap.primary.interface ?? 'unknown interface'} · <ClassBadge cls={snap.primary.class} />
              </div>
            </>
          ) : (
            <div className="card-value">No default route</div>
          )}
        </div>
        <div className="card" data-testid="gateways">
          <div className="card-label">Default gateway{snap.gateways.length === 1 ? '' : 's'}</div>
          {snap.gateways.length ? (
            snap.gateways.map((g) => (
              <div key={`${g.address}-${g.interface}`} className="card-value mono">
                {g.address} <span className="muted small">via {g.interface ?? '?'}</span>
              </div>
            ))
          ) : (
            <div className="card-value">None found</div>
          )}
        </div>
        <div className="card">
          <div className="card-label">Interfaces</div>
          <div className="card-value">{snap.interfaces.length}</div>
          <div className="card-sub">{snap.platform}</div>
        </div>
      </div>
      {snap.warnings.map((w) => (
        <div key={w} className="notice warning" role="status">
          {w}
        </div>
      ))}
      <table className="data" aria-label="Interfaces and addresses">
        <thead>
          <tr>
            <th>Interface</th>
            <th>Address</th>
            <th>Prefix</th>
            <th>Class</th>
          </tr>
        </thead>
        <tbody>
          {snap.interfaces.flatMap((i) =>
            i.addresses.map((a) => (
              <tr key={`${i.name}-${a.address}`}>
                <td>{i.name}</td>
                <td className="mono">{a.address}</td>
                <td className="mono">/{a.prefixLength}</td>
                <td>
                  <ClassBadge cls={a.class} />
                </td>
              </tr>
            )),
          )}
        </tbody>
      </table>
      <p className="muted small">
        A private or CGNAT primary address means a NAT sits between this computer and the internet — the next
        step finds out how it behaves.
      </p>
    </>
  );
}
