import { describe, expect, it } from 'vitest';
import type { DiagnosisFacts } from './facts.ts';
import { diagnose } from './rules.ts';
import { trafficLights } from './findings.ts';

const natBase: NonNullable<DiagnosisFacts['nat']> = {
  udpBlocked: false,
  natDetected: true,
  mapping: 'endpoint-independent',
  filtering: 'address-and-port-dependent',
  hairpinning: true,
  mappedAddress: '203.0.113.2:40000',
  localAddress: '192.168.1.10:40000',
  classic: 'port-restricted-cone',
  lifetimeSeconds: null,
  server: '203.0.113.10:3478',
};
const routerBase: NonNullable<DiagnosisFacts['router']> = {
  upnpFound: true,
  natpmpSupported: true,
  pcpSupported: true,
  externalIp: '203.0.113.2',
  manufacturer: 'MiniUPnP',
  model: 'miniupnpd',
  mappingFailures: [],
  mappingSuccesses: 1,
};
const ids = (f: DiagnosisFacts) => diagnose(f).map((x) => x.id);

describe('diagnosis rules', () => {
  it('plain NAT with a cooperating router: NAT noted, no double NAT', () => {
    expect(ids({ nat: natBase, router: routerBase })).toEqual(['nat-detected']);
  });

  it('no NAT when the mapped address is the local one', () => {
    expect(ids({ nat: { ...natBase, natDetected: false, mapping: null, filtering: null } })).toEqual([
      'no-nat',
    ]);
  });

  it('UDP blocked suppresses NAT-shape findings', () => {
    expect(ids({ nat: { ...natBase, udpBlocked: true, natDetected: null } })).toEqual(['udp-blocked']);
  });

  it('double NAT from a private router external address, CGNAT from 100.64/10', () => {
    const f = ids({ nat: natBase, router: { ...routerBase, externalIp: '100.64.0.2' } });
    expect(f).toContain('double-nat');
    expect(f).toContain('cgnat');
    const f2 = ids({ nat: natBase, router: { ...routerBase, externalIp: '192.168.0.2' } });
    expect(f2).toContain('double-nat');
    expect(f2).not.toContain('cgnat');
  });

  it('double NAT when the router external IP differs from the STUN-mapped address', () => {
    expect(ids({ nat: natBase, router: { ...routerBase, externalIp: '198.51.100.7' } })).toContain(
      'double-nat',
    );
  });

  it('double NAT when the router refuses every mapping with the tell-tale codes', () => {
    const f = ids({
      nat: natBase,
      router: {
        ...routerBase,
        mappingSuccesses: 0,
        mappingFailures: [{ via: 'upnp', code: '501', message: 'ActionFailed' }],
      },
    });
    expect(f).toEqual(expect.arrayContaining(['double-nat', 'upnp-mapping-failed']));
  });

  it('symmetric NAT: relay advice without port mapping, mapping advice with it', () => {
    const sym = { ...natBase, mapping: 'address-and-port-dependent' as const, classic: 'symmetric' };
    const without = diagnose({
      nat: sym,
      router: { ...routerBase, upnpFound: false, natpmpSupported: false, pcpSupported: false },
    });
    expect(without.find((f) => f.id === 'symmetric-nat')!.advice.join(' ')).toMatch(/relay/);
    const withMap = diagnose({ nat: sym, router: routerBase });
    expect(withMap.find((f) => f.id === 'symmetric-nat')!.advice.join(' ')).toMatch(/UPnP/);
  });

  it('binding lifetime under two minutes gives a keep-alive at 80 %', () => {
    const f = diagnose({ nat: { ...natBase, lifetimeSeconds: 30 } }).find(
      (x) => x.id === 'short-binding-lifetime',
    )!;
    expect(f.severity).toBe('warning');
    expect(f.evidence.recommendedKeepAliveSeconds).toBe(24);
    expect(ids({ nat: { ...natBase, lifetimeSeconds: 180 } })).not.toContain('short-binding-lifetime');
  });

  it('no hairpinning is a warning', () => {
    expect(ids({ nat: { ...natBase, hairpinning: false } })).toContain('no-hairpinning');
  });

  it('SIP ALG: reflector evidence is a problem; a CGN-side rewrite is called out', () => {
    const f = diagnose({
      alg: {
        algDetected: true,
        evidence: 'reflector',
        rewrites: [
          { transport: 'udp', port: 5060, fields: ['Via', 'Contact', 'SDP c='], rewrittenTo: '100.64.0.2' },
          { transport: 'udp', port: 5062, fields: [], rewrittenTo: null },
        ],
      },
    });
    const alg = f.find((x) => x.id === 'sip-alg')!;
    expect(alg.severity).toBe('problem');
    expect(alg.evidence['udp/5060']).toBe('Via, Contact, SDP c=');
    expect(alg.evidence['udp/5062']).toBe('untouched');
    expect(alg.advice.join(' ')).toMatch(/100\.64\.0\.2, which is not a public address/);
  });

  it('router quirks from the FreeSWITCH list, with the ALG hint', () => {
    const f = diagnose({
      router: { ...routerBase, manufacturer: 'D-Link', model: 'DIR-655' },
      alg: { algDetected: true, evidence: 'reflector', rewrites: [] },
    });
    expect(f.find((x) => x.id === 'router-quirk')!.title).toContain('DIR-655');
    expect(f.find((x) => x.id === 'sip-alg')!.advice[0]).toMatch(/Application Level Gateway/);
  });

  const call: NonNullable<DiagnosisFacts['call']> = {
    target: 'sip:9196@example.net',
    answered: true,
    sipStatus: 200,
    oneWayAudio: false,
    rtpSent: 500,
    rtpReceived: 498,
    lossPercent: 0.4,
    jitterMs: 2,
    rttMs: 40,
    mos: 4.3,
    rtpSourceMismatch: false,
  };

  it('call outcomes: ok, one-way, no audio, poor quality', () => {
    expect(ids({ call })).toEqual(['call-ok']);
    expect(ids({ call: { ...call, oneWayAudio: true, rtpReceived: 0 } })).toEqual(['one-way-audio']);
    expect(ids({ call: { ...call, answered: false, sipStatus: 408, rtpSent: 0, rtpReceived: 0 } })).toEqual([
      'no-audio',
    ]);
    expect(ids({ call: { ...call, lossPercent: 8, mos: 3.0 } })).toEqual(['poor-call-quality']);
  });

  it('registration failure names the status', () => {
    const f = diagnose({
      registration: { registrar: 'pbx.example', ok: false, sipStatus: 403, reason: 'Forbidden' },
    });
    expect(f[0]).toMatchObject({ id: 'registration-failed', severity: 'problem' });
    expect(f[0]!.advice[0]).toMatch(/credentials/);
  });

  it('traffic lights take the worst severity per area', () => {
    const f = diagnose({ nat: { ...natBase, hairpinning: false }, call });
    expect(trafficLights(f)).toEqual({ nat: 'warning', call: 'ok' });
  });
});

describe('no SIP ALG', () => {
  it('a clean reflector run is an ok finding; heuristics only info', () => {
    const clean = {
      algDetected: false,
      rewrites: [{ transport: 'udp', port: 5060, fields: [], rewrittenTo: null }],
    };
    expect(diagnose({ alg: { ...clean, evidence: 'reflector' } })[0]).toMatchObject({
      id: 'no-sip-alg',
      severity: 'ok',
    });
    expect(diagnose({ alg: { ...clean, evidence: 'heuristic' } })[0]).toMatchObject({
      id: 'no-sip-alg',
      severity: 'info',
    });
  });
});

describe('path hops', () => {
  it('a 100.64/10 hop beyond our router means CGNAT, and with our own private NAT, double NAT', () => {
    const facts: DiagnosisFacts = {
      network: { primaryAddress: '192.168.1.10', primaryClass: 'private', localAddresses: [] },
      nat: natBase,
      path: {
        target: '203.0.113.10',
        hops: [
          { ttl: 1, address: '192.168.1.1' },
          { ttl: 2, address: '100.64.0.1' },
          { ttl: 3, address: '203.0.113.10' },
        ],
      },
    };
    const f = diagnose(facts);
    expect(f.find((x) => x.id === 'cgnat')?.evidence.cgnHop).toBe('100.64.0.1');
    expect(f.map((x) => x.id)).toContain('double-nat');
    // The first hop is our own router: a 100.64 LAN (some mobile routers) is not a CGN sign by itself.
    expect(
      ids({ nat: natBase, path: { target: 'x', hops: [{ ttl: 1, address: '100.64.0.1' }] } }),
    ).not.toContain('cgnat');
  });
});
