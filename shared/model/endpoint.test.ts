import { describe, expect, it } from 'vitest';
import { hostOfEndpoint } from './endpoint.ts';

describe('hostOfEndpoint', () => {
  it('takes the address out of "ip:port" and "[v6]:port", leaves a bare address alone', () => {
    expect(hostOfEndpoint('203.0.113.2:40000')).toBe('203.0.113.2');
    expect(hostOfEndpoint('[2001:db8::1]:3478')).toBe('2001:db8::1');
    expect(hostOfEndpoint('2001:db8::1')).toBe('2001:db8::1');
    expect(hostOfEndpoint('192.0.2.1')).toBe('192.0.2.1');
  });
});
