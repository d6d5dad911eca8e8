import { describe, expect, it } from 'vitest';
import { classifyAddress, parseIPv6 } from './address-class.ts';

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['169.254.10.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.10', 'private'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.254', 'cgnat'],
    ['100.128.0.1', 'public'],
    ['fd12:3456::1', 'ula'],
    ['203.0.113.7', 'documentation'],
    ['198.51.100.1', 'documentation'],
    ['2001:db8::5', 'documentation'],
    ['8.8.8.8', 'public'],
    ['2a00:1450::1', 'public'],
    ['::ffff:192.168.0.1', 'private'],
    ['239.255.255.250', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
  ] as const)('%s is %s', (address, cls) => {
    expect(classifyAddress(address)).toBe(cls);
  });

  it('rejects non-addresses with a specific error', () => {
    expect(() => classifyAddress('example.com')).toThrow(/not an IP address/);
    expect(() => classifyAddress('1.2.3.256')).toThrow(/not an IP address/);
    expect(() => classifyAddress('1::2::3')).toThrow(/not an IP address/);
  });

  it('expands IPv6 forms', () => {
    expect(parseIPv6('2001:db8::1')).toEqual([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]);
    expect(parseIPv6('::ffff:1.2.3.4')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]);
    expect(parseIPv6('fe80::1%eth0')).toEqual([0xfe80, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIPv6('1:2:3:4:5:6:7:8:9')).toBeNull();
  });
});
