import { describe, expect, it } from 'vitest';
import { mapping } from '../../testing/mapping-fixture.ts';
import { groupRanges, nextSort, sortRows } from './mapping-model.ts';

const m = mapping;

describe('mapping table rows', () => {
  it('folds consecutive ports of one client into a range, and calls it RTP', () => {
    const rows = groupRanges([
      m({ externalPort: 16386, description: 'phone' }),
      m({ externalPort: 16384, description: 'phone' }),
      m({ externalPort: 16385, description: 'phone' }),
      m({ externalPort: 5060, description: 'phone' }),
    ]);
    expect(rows.map((r) => [r.first.externalPort, r.lastExternalPort, r.kind])).toEqual([
      [5060, 5060, 'sip'],
      [16384, 16386, 'rtp'],
    ]);
  });

  it('a lone port in 10000-32768 is not RTP without a reason; two ports are not a range', () => {
    const rows = groupRanges([
      m({ externalPort: 27015, description: 'game server' }),
      m({ externalPort: 20000, description: 'VPN' }),
      m({ externalPort: 20001, description: 'VPN' }),
      m({ externalPort: 12000, description: 'Phone RTP' }),
    ]);
    expect(rows.map((r) => [r.first.externalPort, r.kind])).toEqual([
      [12000, 'rtp'],
      [20000, null],
      [20001, null],
      [27015, null],
    ]);
  });

  it('different clients, protocols or descriptions break a range', () => {
    const rows = groupRanges([
      m({ externalPort: 40000 }),
      m({ externalPort: 40001, internalClient: '192.168.1.21' }),
      m({ externalPort: 40002 }),
    ]);
    expect(rows).toHaveLength(3);
  });

  it('sorts every column both ways', () => {
    const rows = groupRanges([
      m({ externalPort: 443, protocol: 'tcp', internalClient: '192.168.1.30', description: 'NAS' }),
      m({ externalPort: 5060, description: 'Desk phone', enabled: false }),
      m({ externalPort: 40000, description: 'app', permanent: false, leaseRemainingSeconds: 60 }),
    ]);
    const ports = (key: Parameters<typeof sortRows>[1], dir: 'ascending' | 'descending') =>
      sortRows(rows, key, dir).map((r) => r.first.externalPort);
    expect(ports('externalPort', 'descending')).toEqual([40000, 5060, 443]);
    expect(ports('description', 'ascending')).toEqual([40000, 5060, 443]);
    expect(ports('internalClient', 'descending')).toEqual([443, 40000, 5060]);
    expect(ports('enabled', 'descending')).toEqual([5060, 443, 40000]);
    expect(ports('lease', 'ascending')).toEqual([40000, 443, 5060]);
    expect(nextSort({ key: 'lease', dir: 'ascending' }, 'lease')).toEqual({
      key: 'lease',
      dir: 'descending',
    });
    expect(nextSort({ key: 'lease', dir: 'descending' }, 'via')).toEqual({ key: 'via', dir: 'ascending' });
  });
});
