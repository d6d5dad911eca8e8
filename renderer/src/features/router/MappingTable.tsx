import { useEffect, useMemo, useState } from 'react';
import type { RouterMapping } from '../../../../shared/contracts/router.ts';
import { Badge } from '../../components/Tone.tsx';
import { formatDuration, sipPortKind } from './sip-ports.ts';
import { SelectField } from '../../components/Field.tsx';

type SortKey = 'externalPort' | 'protocol' | 'internalClient' | 'via' | 'lease';

export interface MappingActions {
  onDelete(m: RouterMapping): void;
  onVerify(m: RouterMapping): void;
  verify: Record<string, string>;
}

export const mappingKey = (m: RouterMapping) => `${m.via}/${m.protocol}/${m.externalPort}`;

/** Seconds elapsed since the table was loaded, ticking once a second, for the lease countdown. */
function useElapsed(since: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  return Math.max(0, Math.floor((now - since) / 1000));
}

export function MappingTable({
  mappings,
  loadedAt,
  actions,
}: {
  mappings: RouterMapping[];
  loadedAt: number;
  actions: MappingActions;
}) {
  const [sort, setSort] = useState<SortKey>('externalPort');
  const [protocol, setProtocol] = useState<'all' | 'udp' | 'tcp'>('all');
  const elapsed = useElapsed(loadedAt);
  const rows = useMemo(() => {
    const list = mappings.filter((m) => protocol === 'all' || m.protocol === protocol);
    const val = (m: RouterMapping): string | number =>
      sort === 'lease'
        ? (m.leaseRemainingSeconds ?? Number.MAX_SAFE_INTEGER)
        : sort === 'internalClient'
          ? (m.internalClient ?? '')
          : m[sort];
    return [...list].sort((a, b) => (val(a) < val(b) ? -1 : val(a) > val(b) ? 1 : 0));
  }, [mappings, protocol, sort]);
  const header = (key: SortKey, label: string) => (
    <th aria-sort={sort === key ? 'ascending' : 'none'}>
      <button type="button" className="link" onClick={() => setSort(key)}>
        {label}
        {sort === key ? ' ▲' : ''}
      </button>
    </th>
  );
  return (
    <>
      <div className="form-row">
        <SelectField
          label="Protocol"
          ariaLabel="Filter by protocol"
          value={protocol}
          onChange={(v) => setProtocol(v as 'all' | 'udp' | 'tcp')}
        >
          <option value="all">All</option>
          <option value="udp">UDP</option>
          <option value="tcp">TCP</option>
        </SelectField>
        <span className="muted small">
          {rows.length} of {mappings.length} mappings · <span className="legend own">NatScope’s own</span>{' '}
          <span className="legend sip">SIP/RTP port</span>
        </span>
      </div>
      <table className="data" aria-label="Port mappings">
        <thead>
          <tr>
            {header('via', 'Via')}
            {header('protocol', 'Proto')}
            {header('externalPort', 'External')}
            {header('internalClient', 'Internal')}
            <th>Description</th>
            {header('lease', 'Lease left')}
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={7} className="muted">
                No port mappings.
              </td>
            </tr>
          )}
          {rows.map((m) => {
            const kind = sipPortKind(m.externalPort) ?? sipPortKind(m.internalPort);
            const left = m.leaseRemainingSeconds === null ? null : m.leaseRemainingSeconds - elapsed;
            const key = mappingKey(m);
            return (
              <tr
                key={key}
                className={
                  [m.createdByNatScope ? 'own' : '', kind ? 'sip' : ''].join(' ').trim() || undefined
                }
              >
                <td>{m.via}</td>
                <td>{m.protocol.toUpperCase()}</td>
                <td className="mono">
                  {m.externalPort} {kind && <Badge tone="info">{kind.toUpperCase()}</Badge>}
                </td>
                <td className="mono">
                  {m.internalClient ?? '?'}:{m.internalPort}
                </td>
                <td>
                  {m.description ?? ''} {m.createdByNatScope && <Badge tone="ok">NatScope</Badge>}
                </td>
                <td className="mono">
                  {m.permanent ? 'permanent' : left === null ? '—' : formatDuration(left)}
                </td>
                <td className="actions">
                  {m.createdByNatScope && (
                    <button type="button" onClick={() => actions.onVerify(m)}>
                      Verify
                    </button>
                  )}
                  <button type="button" onClick={() => actions.onDelete(m)}>
                    Delete
                  </button>
                  {actions.verify[key] && <div className="small">{actions.verify[key]}</div>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
