import { describe, expect, it } from 'vitest';
import { mapping } from '../../testing/mapping-fixture.ts';
import { conflicts, freeSipPort, parsePorts } from './add-mapping-model.ts';

const m = (externalPort: number, internalClient: string, createdByNatScope = false) =>
  mapping({ externalPort, internalClient, createdByNatScope, description: 'Desk phone', externalIp: null });

describe('add-mapping dialog model', () => {
  it('reads a port or a range, and says what is wrong otherwise', () => {
    expect(parsePorts('5060')).toEqual({ from: 5060, to: 5060 });
    expect(parsePorts(' 16384 - 16393 ')).toEqual({ from: 16384, to: 16393 });
    expect(parsePorts('16393-16384')).toMatch(/upwards/);
    expect(parsePorts('1-200')).toMatch(/at most 100/);
    expect(parsePorts('sip')).toMatch(/a port/);
  });

  it("finds another host's mapping on the same port, and tells NatScope's own apart", () => {
    const table = [m(5060, '192.168.1.20'), m(5062, '192.168.1.10', true), m(5064, '192.168.1.10')];
    const c = conflicts(table, 'udp', { from: 5060, to: 5064 }, '192.168.1.10');
    expect(c.map((x) => [x.port, x.otherHost?.internalClient ?? null, x.own ? 'own' : null])).toEqual([
      [5060, '192.168.1.20', null],
      [5062, null, 'own'],
      [5064, null, 'own'],
    ]);
    expect(conflicts(table, 'tcp', { from: 5060, to: 5060 }, null)).toEqual([]);
  });

  it('proposes a SIP port nobody else uses', () => {
    expect(freeSipPort([m(5060, '192.168.1.20')], 'udp')).toBe(5062);
    expect(freeSipPort([m(5060, '192.168.1.20')], 'tcp')).toBe(5060);
    expect(freeSipPort([], 'udp')).toBe(5060);
  });
});
