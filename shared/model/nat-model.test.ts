import { describe, expect, it } from 'vitest';
import type { NatServerRun } from '../contracts/nat.ts';
import { classicNatType } from './nat-classic.ts';
import { compareRuns } from './nat-compare.ts';
import { natSipMeaning, recommendedKeepAlive } from './nat-meaning.ts';
import { DEFAULT_NAT_SERVERS, defaultDiscoveryServers } from './nat-servers.ts';

describe('classicNatType (RFC 3489 label from RFC 5780 results)', () => {
  const nat = { udpBlocked: false, natDetected: true };
  it.each([
    ['endpoint-independent', 'endpoint-independent', 'full-cone'],
    ['endpoint-independent', 'address-dependent', 'restricted-cone'],
    ['endpoint-independent', 'address-and-port-dependent', 'port-restricted-cone'],
    ['address-dependent', 'address-dependent', 'symmetric'],
    ['address-and-port-dependent', 'endpoint-independent', 'symmetric'],
  ] as const)('%s + %s → %s', (mapping, filtering, classic) => {
    expect(classicNatType({ ...nat, mapping, filtering })).toBe(classic);
  });
  it('no NAT, UDP blocked, unknowns', () => {
    expect(classicNatType({ udpBlocked: true, natDetected: null, mapping: null, filtering: null })).toBe(
      'udp-blocked',
    );
    expect(
      classicNatType({
        udpBlocked: false,
        natDetected: false,
        mapping: 'endpoint-independent',
        filtering: 'endpoint-independent',
      }),
    ).toBe('open-internet');
    expect(
      classicNatType({
        udpBlocked: false,
        natDetected: false,
        mapping: 'endpoint-independent',
        filtering: 'address-and-port-dependent',
      }),
    ).toBe('symmetric-udp-firewall');
    expect(classicNatType({ ...nat, mapping: 'endpoint-independent', filtering: null })).toBeNull();
    expect(classicNatType({ ...nat, mapping: null, filtering: 'endpoint-independent' })).toBeNull();
  });
});

function run(over: Partial<NatServerRun>): NatServerRun {
  return {
    server: 'a:3478',
    address: '192.0.2.1:3478',
    run: 1,
    transport: 'udp',
    serverCapable: true,
    serverKind: 'rfc5780',
    incapableReason: null,
    otherAddress: null,
    software: null,
    mapping: 'endpoint-independent',
    filtering: 'address-and-port-dependent',
    hairpinning: false,
    natDetected: true,
    udpBlocked: false,
    portPreserved: true,
    mappedAddress: '203.0.113.2:4000',
    localAddress: '192.168.1.10:4000',
    classic: 'port-restricted-cone',
    ports: [],
    lifetime: null,
    tests: [],
    transactions: [],
    warnings: [],
    durationMs: 300,
    ...over,
  };
}

describe('compareRuns', () => {
  it('agreement of two capable runs → high', () => {
    const c = compareRuns([run({}), run({ server: 'b:3478' })]);
    expect(c.confidence).toBe('high');
    expect(c.disagreements).toEqual([]);
    expect(c.values.classic).toBe('port-restricted-cone');
  });
  it('one capable run → medium', () => expect(compareRuns([run({})]).confidence).toBe('medium'));
  it('an incapable server does not vote', () => {
    const c = compareRuns([
      run({ serverCapable: false, filtering: null, classic: null, server: 'bad' }),
      run({}),
    ]);
    expect(c.values.filtering).toBe('address-and-port-dependent');
    expect(c.primary.server).toBe('a:3478');
    expect(c.confidence).toBe('medium');
  });
  it('disagreement is listed and lowers confidence', () => {
    const c = compareRuns([
      run({}),
      run({ server: 'b', mapping: 'address-and-port-dependent', classic: 'symmetric' }),
      run({ server: 'c' }),
    ]);
    expect(c.confidence).toBe('low');
    expect(c.values.mapping).toBe('endpoint-independent');
    expect(c.disagreements.map((d) => d.field)).toEqual(['mapping', 'classic']);
  });
  it('no capable server → low', () => {
    expect(
      compareRuns([run({ serverCapable: false, mapping: null, filtering: null, classic: null })]).confidence,
    ).toBe('low');
  });
});

describe('SIP meaning and keep-alive', () => {
  it('symmetric NAT calls for a relay', () => {
    const m = natSipMeaning({
      udpBlocked: false,
      natDetected: true,
      mapping: 'address-and-port-dependent',
      filtering: 'address-and-port-dependent',
      hairpinning: false,
      portPreserved: false,
      classic: 'symmetric',
      serverCapable: true,
    });
    expect(m.find((x) => x.topic === 'mapping')?.text).toMatch(/relay/);
    expect(m.find((x) => x.topic === 'mapping')?.severity).toBe('problem');
  });
  it('keep-alive is 80 % of the lifetime, capped', () => {
    expect(recommendedKeepAlive(30)).toBe(24);
    expect(recommendedKeepAlive(600)).toBe(120);
    expect(recommendedKeepAlive(1)).toBe(1);
  });
  it('default servers: RFC 5780 ones first for discovery', () => {
    expect(defaultDiscoveryServers()).toHaveLength(2);
    for (const s of defaultDiscoveryServers())
      expect(DEFAULT_NAT_SERVERS.find((d) => `${d.host}:${d.port}` === s)?.rfc5780).toBe(true);
  });
});
