import { describe, expect, it } from 'vitest';
import { describeCode, isDoubleNatRefusal } from './router-errors.ts';
import { analyzeRouter } from './router-findings.ts';

describe('router error codes', () => {
  it('names codes', () => {
    expect(describeCode('upnp', 718).name).toBe('ConflictInMappingEntry');
    expect(describeCode('upnp', 725).name).toBe('OnlyPermanentLeasesSupported');
    expect(describeCode('upnp', 606).name).toBe('ActionNotAuthorized');
    expect(describeCode('natpmp', 3).name).toBe('NetworkFailure');
    expect(describeCode('pcp', 8).name).toBe('NO_RESOURCES');
    expect(describeCode('upnp', 9999).name).toBe('Unknown');
    expect(
      isDoubleNatRefusal('upnp', 501) && isDoubleNatRefusal('natpmp', 3) && isDoubleNatRefusal('pcp', 8),
    ).toBe(true);
    expect(isDoubleNatRefusal('upnp', 718)).toBe(false);
  });
});

describe('analyzeRouter', () => {
  it('no finding for a public external address that matches STUN', () => {
    expect(
      analyzeRouter({
        externalIps: { upnp: '198.51.100.7', natpmp: '198.51.100.7' },
        supported: { upnp: true },
        stunMappedAddress: '198.51.100.7',
      }),
    ).toEqual([]);
  });
  it('private → double NAT; 100.64/10 → CGNAT; 0.0.0.0 → WAN down', () => {
    expect(analyzeRouter({ externalIps: { upnp: '192.168.0.5' }, supported: {} }).map((f) => f.id)).toEqual([
      'router-external-private',
    ]);
    expect(
      analyzeRouter({ externalIps: { upnp: '100.64.0.2', natpmp: '100.64.0.2' }, supported: {} }).map(
        (f) => f.id,
      ),
    ).toEqual(['router-external-cgnat']);
    expect(analyzeRouter({ externalIps: { upnp: '0.0.0.0' }, supported: {} }).map((f) => f.id)).toEqual([
      'router-external-unset',
    ]);
  });
  it('router address differs from STUN → NAT beyond the router', () => {
    const f = analyzeRouter({
      externalIps: { upnp: '203.0.113.2' },
      supported: {},
      stunMappedAddress: '203.0.113.3',
    });
    expect(f.map((x) => x.id)).toEqual(['router-external-differs-from-stun']);
    expect(f[0]?.evidence).toEqual(['upnp: router says 203.0.113.2', 'STUN mapped address: 203.0.113.3']);
  });
  it('refusals: all protocols refused → problem; one of two → warning', () => {
    const all = analyzeRouter({
      externalIps: {},
      supported: {},
      refusals: [
        { via: 'upnp', code: 501 },
        { via: 'natpmp', code: 3 },
        { via: 'pcp', code: 8 },
      ],
    });
    expect(all[0]).toMatchObject({ id: 'mappings-refused', severity: 'problem' });
    expect(all[0]?.evidence).toEqual([
      'upnp: 501 ActionFailed',
      'natpmp: 3 NetworkFailure',
      'pcp: 8 NO_RESOURCES',
    ]);
    const some = analyzeRouter({
      externalIps: {},
      supported: {},
      refusals: [
        { via: 'upnp', code: 501 },
        { via: 'natpmp', code: 2 },
      ],
    });
    expect(some[0]).toMatchObject({ id: 'mappings-refused', severity: 'warning' });
  });
  it('no protocol answered; router reboot', () => {
    expect(
      analyzeRouter({ externalIps: {}, supported: { upnp: false, natpmp: false, pcp: false } }).map(
        (f) => f.id,
      ),
    ).toEqual(['no-mapping-protocol']);
    expect(
      analyzeRouter({ externalIps: {}, supported: { upnp: true }, epochReset: true }).map((f) => f.id),
    ).toEqual(['router-rebooted']);
  });
});
