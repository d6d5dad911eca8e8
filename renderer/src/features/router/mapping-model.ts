import type { RouterMapping } from '../../../../shared/contracts/router.ts';

/**
 * The mapping table's rows, as UPnP PortMapper shows them: consecutive ports of one client (an RTP
 * range) fold into one row, every column sorts both ways, and SIP/RTP badges only where the
 * evidence says so.
 */
export type SortKey =
  | 'enabled'
  | 'via'
  | 'protocol'
  | 'remoteHost'
  | 'externalIp'
  | 'externalPort'
  | 'internalClient'
  | 'description'
  | 'lease';
export type SortDir = 'ascending' | 'descending';

export interface MappingRow {
  key: string;
  /** The first mapping of the row (the only one unless this is a range). */
  first: RouterMapping;
  /** Every mapping the row stands for, in port order. */
  members: RouterMapping[];
  /** Last external port of a range (= first.externalPort for a single mapping). */
  lastExternalPort: number;
  kind: 'sip' | 'rtp' | null;
}

export const mappingKey = (m: RouterMapping) => `${m.via}/${m.protocol}/${m.externalPort}`;

/** Ranges shorter than this stay separate rows. */
const MIN_RANGE = 3;

const SIP_PORTS = new Set([5060, 5061, 5080, 5081]);
/** FreeSWITCH rtp-start/end-port default 16384-32768; Asterisk rtp.conf default 10000-20000. */
const inRtpRange = (p: number) => (p >= 10000 && p <= 20000) || (p >= 16384 && p <= 32768);

function kindOf(members: RouterMapping[]): MappingRow['kind'] {
  const m = members[0]!;
  if (SIP_PORTS.has(m.externalPort) || SIP_PORTS.has(m.internalPort)) return 'sip';
  const describedAsMedia = /\b(rtp|media|voice|audio)\b/i.test(m.description ?? '');
  // A lone port in 10000-32768 is anything (games, VPNs…): RTP only with a description or a range.
  if (describedAsMedia || (members.length >= MIN_RANGE && inRtpRange(m.externalPort))) return 'rtp';
  return null;
}

/** Same everything but the ports, with both ports one higher: the next mapping of a range. */
function continues(prev: RouterMapping, m: RouterMapping): boolean {
  return (
    m.via === prev.via &&
    m.protocol === prev.protocol &&
    m.internalClient === prev.internalClient &&
    // NatScope names each of its mappings with its ledger id: its own range differs only there.
    ((m.createdByNatScope && prev.createdByNatScope) || (m.description ?? '') === (prev.description ?? '')) &&
    m.enabled === prev.enabled &&
    (m.remoteHost ?? '') === (prev.remoteHost ?? '') &&
    m.createdByNatScope === prev.createdByNatScope &&
    m.externalPort === prev.externalPort + 1 &&
    m.internalPort === prev.internalPort + 1
  );
}

export function groupRanges(mappings: RouterMapping[]): MappingRow[] {
  const sorted = [...mappings].sort(
    (a, b) =>
      a.via.localeCompare(b.via) || a.protocol.localeCompare(b.protocol) || a.externalPort - b.externalPort,
  );
  const groups: RouterMapping[][] = [];
  for (const m of sorted) {
    const g = groups.at(-1);
    if (g && continues(g.at(-1)!, m)) g.push(m);
    else groups.push([m]);
  }
  return groups.flatMap((g) => (g.length >= MIN_RANGE ? [row(g)] : g.map((m) => row([m]))));
}

function row(members: RouterMapping[]): MappingRow {
  const first = members[0]!;
  return {
    key: mappingKey(first),
    first,
    members,
    lastExternalPort: members.at(-1)!.externalPort,
    kind: kindOf(members),
  };
}

function value(r: MappingRow, key: SortKey): string | number {
  const m = r.first;
  switch (key) {
    case 'enabled':
      return m.enabled === null ? 1 : m.enabled ? 0 : 2;
    case 'lease':
      return m.permanent ? Number.MAX_SAFE_INTEGER : (m.leaseRemainingSeconds ?? Number.MAX_SAFE_INTEGER - 1);
    case 'externalPort':
      return m.externalPort;
    case 'internalClient':
      return `${m.internalClient ?? ''}:${String(m.internalPort).padStart(5, '0')}`;
    default:
      return (m[key] ?? '').toString().toLowerCase();
  }
}

export function sortRows(rows: MappingRow[], key: SortKey, dir: SortDir): MappingRow[] {
  const sign = dir === 'ascending' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = value(a, key);
    const y = value(b, key);
    // ties: by external port, always ascending, so equal rows keep a stable order
    return (x < y ? -1 : x > y ? 1 : 0) * sign || a.first.externalPort - b.first.externalPort;
  });
}

/** Clicking a column: a new column sorts ascending, the current one flips. */
export function nextSort(cur: { key: SortKey; dir: SortDir }, key: SortKey): { key: SortKey; dir: SortDir } {
  return cur.key === key
    ? { key, dir: cur.dir === 'ascending' ? 'descending' : 'ascending' }
    : { key, dir: 'ascending' };
}
