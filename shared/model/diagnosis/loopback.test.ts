import { describe, expect, it } from 'vitest';
import type { DiagnosisFacts } from './facts.ts';
import { diagnose } from './rules.ts';

const loopbackNat: NonNullable<DiagnosisFacts['nat']> = {
  udpBlocked: false,
  natDetected: false,
  mapping: 'endpoint-independent',
  filtering: 'endpoint-independent',
  hairpinning: true,
  mappedAddress: '127.0.0.1:54833',
  localAddress: '127.0.0.1:54833',
  classic: 'open-internet',
  lifetimeSeconds: null,
  server: '127.0.0.2:13478',
};

describe('NAT results over loopback (the offline demo)', () => {
  it('never claim "no NAT": one info finding says nothing is known about the NAT', () => {
    const findings = diagnose({ nat: loopbackNat });
    expect(findings.map((f) => f.id)).toEqual(['loopback-only']);
    expect(findings[0]!.severity).toBe('info');
    expect(findings[0]!.evidence.mappedAddress).toBe('127.0.0.1:54833');
  });

  it('other areas are still judged', () => {
    const ids = diagnose({
      nat: loopbackNat,
      alg: { algDetected: false, evidence: 'reflector', rewrites: [] },
    }).map((f) => f.id);
    expect(ids).toContain('loopback-only');
    expect(ids).toContain('no-sip-alg');
    expect(ids).not.toContain('no-nat');
  });

  it('a public mapped address is judged as before', () => {
    const ids = diagnose({
      nat: { ...loopbackNat, mappedAddress: '203.0.113.2:4000', localAddress: '203.0.113.2:4000' },
    }).map((f) => f.id);
    expect(ids).toEqual(['no-nat']);
  });
});
