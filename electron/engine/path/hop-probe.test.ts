import { describe, expect, it } from 'vitest';
import { parseHop, pingArgs, probeHops } from './hop-probe.ts';

describe('hop probe', () => {
  it('parses Time Exceeded and echo replies on Linux, macOS and Windows', () => {
    expect(
      parseHop(
        'PING 203.0.113.10 (203.0.113.10) 56(84) bytes of data.\nFrom 100.64.0.1 icmp_seq=1 Time to live exceeded\n',
      ),
    ).toBe('100.64.0.1');
    expect(parseHop('92 bytes from 192.168.1.1: Time to live exceeded\nVr HL TOS')).toBe('192.168.1.1');
    expect(parseHop('Reply from 10.0.0.1: TTL expired in transit.')).toBe('10.0.0.1');
    expect(parseHop('64 bytes from 203.0.113.10: icmp_seq=1 ttl=62 time=0.1 ms')).toBe('203.0.113.10');
    expect(parseHop('Request timed out.')).toBeNull();
    expect(parseHop('')).toBeNull();
  });

  it('builds the TTL flag per platform', () => {
    expect(pingArgs('linux', '192.0.2.1', 2)).toEqual(['-n', '-c', '1', '-t', '2', '-W', '1', '192.0.2.1']);
    expect(pingArgs('darwin', '192.0.2.1', 2)).toContain('-m');
    expect(pingArgs('win32', '192.0.2.1', 2)).toEqual(['-n', '1', '-i', '2', '-w', '1000', '192.0.2.1']);
  });

  it('lists hops up to the target, silent hops as null, and survives ping failing', async () => {
    const answers: Record<string, string> = {
      '1': 'From 192.168.1.1 icmp_seq=1 Time to live exceeded',
      '2': '',
      '3': '64 bytes from 203.0.113.10: icmp_seq=1 ttl=62',
      '4': '64 bytes from 203.0.113.10: icmp_seq=1 ttl=62',
    };
    const hops = await probeHops(
      '203.0.113.10',
      async (args) => {
        const ttl = args[args.indexOf('-t') + 1]!;
        if (ttl === '2') throw Object.assign(new Error('exit 1'), { stdout: '' });
        return answers[ttl]!;
      },
      'linux',
    );
    expect(hops).toEqual([
      { ttl: 1, address: '192.168.1.1' },
      { ttl: 2, address: null },
      { ttl: 3, address: '203.0.113.10' },
    ]);
  });
});
