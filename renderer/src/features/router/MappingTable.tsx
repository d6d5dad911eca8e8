import { Fragment, useEffect, useMemo, useState } from 'react';
import type { RouterMapping } from '../../../../shared/contracts/router.ts';
import { SelectField } from '../../components/Field.tsx';
import { Badge } from '../../components/Tone.tsx';
import { groupRanges, mappingKey, nextSort, sortRows, type SortDir, type SortKey } from './mapping-model.ts';
import { formatDuration } from './format-duration.ts';

export { mappingKey } from './mapping-model.ts';

export interface MappingActions {
  onDelete(m: RouterMapping): void;
  onVerify(m: RouterMapping): void;
  verify: Record<string, string>;
}

/** Seconds elapsed since the table was loaded, ticking once a second, for the lease countdown. */
function useElapsed(since: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  return Math.max(0, Math.floor((now - since) / 1000));
}

const COLUMNS: { key: SortKey; label: string }[] = [
  { key: 'enabled', label: 'Enabled' },
  { key: 'via', label: 'Via' },
  { key: 'protocol', label: 'Proto' },
  { key: 'remoteHost', label: 'Remote host' },
  { key: 'externalIp', label: 'External IP' },
  { key: 'externalPort', label: 'External port' },
  { key: 'internalClient', label: 'Internal' },
  { key: 'description', label: 'Description' },
  { key: 'lease', label: 'Lease left' },
];

const enabledText = (e: boolean | null) => (e === null ? '?' : e ? 'yes' : 'no');

/**
 * The router's mapping table, like UPnP PortMapper's: every column sorts both ways, consecutive
 * ports of one client fold into a range (expandable), NatScope's own mappings and SIP/RTP ports are
 * marked, and leases count down.
 */
export function MappingTable(props: {
  mappings: RouterMapping[];
  loadedAt: number;
  actions: MappingActions;
}) {
  const { mappings, actions } = props;
  const [sort, setSort] = useState<{ key: SortKey; dir: SortDir }>({ key: 'externalPort', dir: 'ascending' });
  const [protocol, setProtocol] = useState<'all' | 'udp' | 'tcp'>('all');
  const [open, setOpen] = useState<Record<string, boolean>>({});
  const elapsed = useElapsed(props.loadedAt);
  const rows = useMemo(
    () =>
      sortRows(
        groupRanges(mappings.filter((m) => protocol === 'all' || m.protocol === protocol)),
        sort.key,
        sort.dir,
      ),
    [mappings, protocol, sort],
  );
  const shown = rows.reduce((n, r) => n + r.members.length, 0);
  const leaseText = (m: RouterMapping) => {
    if (m.permanent) return 'permanent';
    return m.leaseRemainingSeconds === null ? '—' : formatDuration(m.leaseRemainingSeconds - elapsed);
  };
  const cells = (m: RouterMapping, ports: string, kind: 'sip' | 'rtp' | null) => (
    <>
      <td>{enabledText(m.enabled)}</td>
      <td>{m.via}</td>
      <td>{m.protocol.toUpperCase()}</td>
      <td className="mono">{m.remoteHost || 'any'}</td>
      <td className="mono">{m.externalIp ?? '—'}</td>
      <td className="mono">
        {ports} {kind && <Badge tone="info">{kind.toUpperCase()}</Badge>}
      </td>
      <td className="mono">
        {m.internalClient ?? '?'}:{m.internalPort}
      </td>
      <td>
        {m.description ?? ''} {m.createdByNatScope && <Badge tone="ok">NatScope</Badge>}
      </td>
      <td className="mono">{leaseText(m)}</td>
    </>
  );
  const rowActions = (m: RouterMapping) => (
    <td className="actions">
      {m.createdByNatScope && (
        <button type="button" onClick={() => actions.onVerify(m)}>
          Verify<span className="visually-hidden"> {m.externalPort}</span>
        </button>
      )}
      <button type="button" onClick={() => actions.onDelete(m)}>
        Delete
        <span className="visually-hidden">
          {' '}
          {m.protocol.toUpperCase()} {m.externalPort}
        </span>
      </button>
      {actions.verify[mappingKey(m)] && <div className="small">{actions.verify[mappingKey(m)]}</div>}
    </td>
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
        <span className="muted small" data-testid="mapping-count">
          {shown} of {mappings.length} mappings · <span className="legend own">NatScope’s own</span>{' '}
          <span className="legend sip">SIP/RTP port</span>
        </span>
      </div>
      <table className="data" aria-label="Port mappings">
        <thead>
          <tr>
            {COLUMNS.map((c) => (
              <th key={c.key} aria-sort={sort.key === c.key ? sort.dir : 'none'}>
                <button type="button" className="link" onClick={() => setSort((s) => nextSort(s, c.key))}>
                  {c.label}
                  <span aria-hidden="true">
                    {sort.key === c.key ? (sort.dir === 'ascending' ? ' ▲' : ' ▼') : ''}
                  </span>
                </button>
              </th>
            ))}
            <th>
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={COLUMNS.length + 1} className="muted">
                No port mappings.
              </td>
            </tr>
          )}
          {rows.map((r) => {
            const m = r.first;
            const cls =
              [m.createdByNatScope ? 'own' : '', r.kind ? 'sip' : '', m.enabled === false ? 'disabled' : '']
                .join(' ')
                .trim() || undefined;
            if (r.members.length === 1)
              return (
                <tr key={r.key} className={cls}>
                  {cells(m, String(m.externalPort), r.kind)}
                  {rowActions(m)}
                </tr>
              );
            const expanded = open[r.key] === true;
            return (
              <Fragment key={r.key}>
                <tr className={cls} data-testid="mapping-range">
                  {cells(m, `${m.externalPort}–${r.lastExternalPort}`, r.kind)}
                  <td className="actions">
                    <button
                      type="button"
                      aria-expanded={expanded}
                      onClick={() => setOpen((o) => ({ ...o, [r.key]: !expanded }))}
                    >
                      {expanded ? 'Hide' : 'Show'} {r.members.length} ports
                    </button>
                  </td>
                </tr>
                {expanded &&
                  r.members.map((x) => (
                    <tr key={mappingKey(x)} className="sub">
                      {cells(x, String(x.externalPort), r.kind)}
                      {rowActions(x)}
                    </tr>
                  ))}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
