import { describe, expect, it } from 'vitest';
import { takeNetworkSnapshot } from './snapshot.ts';
import type { SystemSource } from './system-source.ts';
import { nodeSystemSource } from './system-source.ts';

const fixture: SystemSource = {
  platform: 'linux',
  networkInterfaces: () => ({
    lo: [
      {
        address: '127.0.0.1',
        netmask: '255.0.0.0',
        family: 'IPv4',
        mac: '00:00:00:00:00:00',
        internal: true,
        cidr: '127.0.0.1/8',
      },
    ],
    eth0: [
      {
        address: '192.168.1.20',
        netmask: '255.255.255.0',
        family: 'IPv4',
        mac: 'aa:bb:cc:dd:ee:ff',
        internal: false,
        cidr: '192.168.1.20/24',
      },
      {
        address: 'fe80::1',
        netmask: 'ffff:ffff:ffff:ffff::',
        family: 'IPv6',
        mac: 'aa:bb:cc:dd:ee:ff',
        internal: false,
        cidr: 'fe80::1/64',
        scopeid: 2,
      },
    ],
    wwan0: [
      {
        address: '100.72.1.9',
        netmask: '255.192.0.0',
        family: 'IPv4',
        mac: '00:00:00:00:00:00',
        internal: false,
        cidr: null,
      },
    ],
  }),
  readFile: async (p) => {
    if (p === '/proc/net/route')
      return 'Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\neth0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\n';
    throw new Error('ENOENT');
  },
  run: async () => '',
  routeSource: async (t) => (t.includes(':') ? null : '192.168.1.20'),
};

describe('takeNetworkSnapshot', () => {
  it('classifies every address and finds gateway and primary address', async () => {
    const snap = await takeNetworkSnapshot(fixture);
    expect(snap.gateways).toEqual([{ address: '192.168.1.1', family: 4, interface: 'eth0' }]);
    expect(snap.primary).toEqual({ address: '192.168.1.20', interface: 'eth0', class: 'private' });
    const eth0 = snap.interfaces.find((i) => i.name === 'eth0')!;
    expect(eth0.mac).toBe('aa:bb:cc:dd:ee:ff');
    expect(eth0.addresses.map((a) => [a.address, a.class, a.prefixLength])).toEqual([
      ['192.168.1.20', 'private', 24],
      ['fe80::1', 'link-local', 64],
    ]);
    const wwan = snap.interfaces.find((i) => i.name === 'wwan0')!;
    expect(wwan.addresses[0]).toMatchObject({ class: 'cgnat', prefixLength: 10 });
    expect(snap.warnings).toEqual([]);
  });

  it('reports an unreadable routing table and a missing default route as warnings', async () => {
    const snap = await takeNetworkSnapshot({
      ...fixture,
      readFile: async () => {
        throw new Error('permission denied');
      },
      routeSource: async () => null,
    });
    expect(snap.gateways).toEqual([]);
    expect(snap.primary).toBeNull();
    expect(snap.warnings).toEqual([
      'could not read the routing table: permission denied',
      'no route to the internet: the system has no default route',
    ]);
  });

  it('reads this machine without throwing', async () => {
    const snap = await takeNetworkSnapshot(nodeSystemSource);
    expect(snap.interfaces.some((i) => i.addresses.some((a) => a.class === 'loopback'))).toBe(true);
  });
});
