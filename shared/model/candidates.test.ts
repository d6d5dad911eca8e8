import { describe, expect, it } from 'vitest';
import { judgeCandidate } from './candidates.ts';

const srflx = { type: 'srflx' as const, transport: 'udp' as const, address: '203.0.113.2:40000' };

describe('judgeCandidate: could a peer on the internet reach it?', () => {
  it('server-reflexive UDP follows the NAT behaviour (RFC 4787)', () => {
    const ei = 'endpoint-independent' as const;
    expect(judgeCandidate(srflx, { mapping: ei, filtering: ei, natDetected: true }).reachable).toBe('yes');
    expect(judgeCandidate(srflx, { mapping: ei, filtering: 'address-and-port-dependent' }).reachable).toBe(
      'after-outbound',
    );
    expect(
      judgeCandidate(srflx, {
        mapping: 'address-and-port-dependent',
        filtering: 'address-and-port-dependent',
      }),
    ).toEqual({
      reachable: 'no',
      why: expect.stringMatching(/symmetric/) as string,
    });
    expect(judgeCandidate(srflx, undefined).reachable).toBe('unknown');
    expect(judgeCandidate(srflx, { mapping: ei }).reachable).toBe('unknown');
    expect(judgeCandidate(srflx, { udpBlocked: true }).reachable).toBe('no');
  });

  it('host candidates: only public addresses without a NAT; TCP reflexive never inbound through a NAT', () => {
    expect(
      judgeCandidate({ type: 'host', transport: 'udp', address: '192.168.1.10:5000' }, undefined).reachable,
    ).toBe('no');
    expect(
      judgeCandidate(
        { type: 'host', transport: 'udp', address: '192.0.2.10:5000' },
        { natDetected: false, filtering: 'endpoint-independent' },
      ).reachable,
    ).toBe(
      'yes', // documentation ranges count as routed (the lab's "internet" uses them)
    );
    expect(
      judgeCandidate(
        { type: 'host', transport: 'udp', address: '8.8.8.8:5000' },
        { natDetected: false, filtering: 'endpoint-independent' },
      ).reachable,
    ).toBe('yes');
    expect(
      judgeCandidate({ type: 'host', transport: 'udp', address: '8.8.8.8:5000' }, undefined).reachable,
    ).toBe('unknown');
    expect(judgeCandidate({ ...srflx, transport: 'tcp' }, { natDetected: true }).reachable).toBe('no');
    expect(
      judgeCandidate({ type: 'relay', transport: 'udp', address: '203.0.113.10:49152' }, undefined).reachable,
    ).toBe('yes');
  });

  it('an address not routed on the internet is unreachable whatever its type (loopback demo, LAN relay)', () => {
    const loop = (type: 'srflx' | 'relay') => ({
      type,
      transport: 'udp' as const,
      address: '127.0.0.1:34012',
    });
    expect(judgeCandidate(loop('srflx'), { natDetected: false })).toEqual({
      reachable: 'no',
      why: 'loopback address: not routed on the internet',
    });
    expect(judgeCandidate(loop('relay'), undefined).reachable).toBe('no');
    expect(
      judgeCandidate({ type: 'relay', transport: 'udp', address: '10.0.0.5:49152' }, undefined).reachable,
    ).toBe('no');
    expect(judgeCandidate({ ...srflx, address: '100.64.1.2:40000' }, { natDetected: true }).reachable).toBe(
      'no',
    );
  });

  it('no NAT but a filtering firewall: only after we sent first; filtering not measured: unknown', () => {
    const apd = 'address-and-port-dependent' as const;
    expect(judgeCandidate(srflx, { natDetected: false, filtering: apd }).reachable).toBe('after-outbound');
    expect(
      judgeCandidate(
        { type: 'host', transport: 'udp', address: '8.8.8.8:5000' },
        {
          natDetected: false,
          filtering: apd,
        },
      ).reachable,
    ).toBe('after-outbound');
    expect(judgeCandidate(srflx, { natDetected: false, filtering: 'endpoint-independent' }).reachable).toBe(
      'yes',
    );
    expect(judgeCandidate(srflx, { natDetected: false }).reachable).toBe('unknown');
  });
});
