import { describe, expect, it } from 'vitest';
import { parseProcNetIpv6Route, parseProcNetRoute } from './routes-linux.ts';
import { parseNetstatRn } from './routes-darwin.ts';
import { parseRoutePrint } from './routes-windows.ts';

describe('default gateway parsers', () => {
  it('reads /proc/net/route', () => {
    const text = [
      'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
      'eth0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0',
      'eth0\t0001A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0',
      'wg0\t00000000\t00000000\t0001\t0\t0\t0\t00000000\t0\t0\t0',
    ].join('\n');
    expect(parseProcNetRoute(text)).toEqual([{ address: '192.168.1.1', family: 4, interface: 'eth0' }]);
  });

  it('reads /proc/net/ipv6_route', () => {
    const text =
      '00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000400 00000001 00000000 00450003     eth0\n' +
      'fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0\n';
    expect(parseProcNetIpv6Route(text)).toEqual([{ address: 'fe80::1', family: 6, interface: 'eth0' }]);
  });

  it('reads macOS netstat -rn', () => {
    const text = [
      'Routing tables',
      'Internet:',
      'Destination        Gateway            Flags           Netif Expire',
      'default            192.168.1.254      UGScg             en0',
      'default            link#17            UCSIg           utun3',
      '127                127.0.0.1          UCS               lo0',
      'Internet6:',
      'default            fe80::1%en0        UGcg              en0',
    ].join('\n');
    expect(parseNetstatRn(text)).toEqual([
      { address: '192.168.1.254', family: 4, interface: 'en0' },
      { address: 'fe80::1', family: 6, interface: 'en0' },
    ]);
  });

  it('reads Windows route print', () => {
    const text = [
      'IPv4 Route Table',
      'Network Destination        Netmask          Gateway       Interface  Metric',
      '          0.0.0.0          0.0.0.0      192.168.0.1    192.168.0.23     25',
      '        127.0.0.0        255.0.0.0         On-link         127.0.0.1    331',
      'IPv6 Route Table',
      ' If Metric Network Destination      Gateway',
      ' 11    281 ::/0                     fe80::1',
      '  1    331 ::1/128                  On-link',
    ].join('\r\n');
    expect(parseRoutePrint(text)).toEqual([
      { address: '192.168.0.1', family: 4, interface: '192.168.0.23' },
      { address: 'fe80::1', family: 6, interface: 'if11' },
    ]);
  });

  it('returns nothing for garbage, never throws', () => {
    expect(parseProcNetRoute('\u0000\u0001garbage\n\n')).toEqual([]);
    expect(parseNetstatRn('default')).toEqual([]);
    expect(parseRoutePrint('0.0.0.0 0.0.0.0 On-link')).toEqual([]);
  });
});
