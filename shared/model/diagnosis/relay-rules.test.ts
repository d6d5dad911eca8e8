import { describe, expect, it } from 'vitest';
import type { DiagnosisFacts } from './facts.ts';
import { relayRules } from './relay-rules.ts';

const relay = (
  o: Partial<NonNullable<DiagnosisFacts['relay']>> = {},
): NonNullable<DiagnosisFacts['relay']> => ({
  server: '203.0.113.10:3478',
  transport: 'udp',
  allocated: true,
  relayedAddress: '203.0.113.10:49152',
  error: null,
  errorCode: null,
  ...o,
});
const nat = (o: Partial<NonNullable<DiagnosisFacts['nat']>>): NonNullable<DiagnosisFacts['nat']> => ({
  udpBlocked: false,
  natDetected: true,
  mapping: 'endpoint-independent',
  filtering: 'address-and-port-dependent',
  hairpinning: null,
  mappedAddress: null,
  localAddress: null,
  classic: null,
  lifetimeSeconds: null,
  server: 's',
  ...o,
});
const ids = (f: DiagnosisFacts) => relayRules(f).map((x) => `${x.id}/${x.severity}`);

describe('relay findings', () => {
  it('nothing without a relay test', () => expect(relayRules({ nat: nat({}) })).toEqual([]));

  it('relay-works when the direct path shows no problem', () => {
    expect(ids({ relay: relay(), nat: nat({}) })).toEqual(['relay-works/ok']);
  });

  it('relay-needed when the direct path fails (symmetric, UDP blocked, one-way audio) and the relay works', () => {
    expect(ids({ relay: relay(), nat: nat({ mapping: 'address-and-port-dependent' }) })).toEqual([
      'relay-needed/warning',
    ]);
    expect(ids({ relay: relay({ transport: 'tls' }), nat: nat({ udpBlocked: true }) })).toEqual([
      'relay-needed/warning',
    ]);
    const call = {
      target: 'x',
      answered: true,
      sipStatus: 200,
      oneWayAudio: true,
      rtpSent: 100,
      rtpReceived: 0,
      lossPercent: null,
      jitterMs: null,
      rttMs: null,
      mos: null,
      rtpSourceMismatch: false,
    };
    const f = relayRules({ relay: relay(), call });
    expect(f[0]!.id).toBe('relay-needed');
    expect(f[0]!.advice.join(' ')).toMatch(/rtpengine/);
  });

  it('symmetric NAT with a direct echo call that had audio: relay-needed, but not "direct media fails"', () => {
    const call = {
      target: 'x',
      answered: true,
      sipStatus: 200,
      oneWayAudio: false,
      rtpSent: 200,
      rtpReceived: 199,
      lossPercent: 0.5,
      jitterMs: 1,
      rttMs: 20,
      mos: 4.4,
      rtpSourceMismatch: false,
    };
    const symmetric = nat({ mapping: 'address-and-port-dependent' });
    const [f] = relayRules({ relay: relay(), nat: symmetric, call });
    expect(f!.id).toBe('relay-needed');
    expect(f!.title).toMatch(
      /^Direct media works here only with servers that send back to where the RTP came from/,
    );
    expect(f!.title).toContain('the NAT is symmetric');
    // Without a direct call, the symmetric NAT alone still reads as failing.
    expect(relayRules({ relay: relay(), nat: symmetric })[0]!.title).toMatch(/^Direct media fails here/);
  });

  it('relay-unreachable: a problem when the direct path also fails, with advice matching the error', () => {
    const down = relay({ allocated: false, relayedAddress: null, error: 'no answer', errorCode: 'timeout' });
    const f = relayRules({ relay: down, nat: nat({ mapping: 'address-dependent' }) });
    expect(f.map((x) => `${x.id}/${x.severity}`)).toEqual(['relay-unreachable/problem']);
    expect(f[0]!.advice.join(' ')).toMatch(/--transport tcp or tls/);
    expect(ids({ relay: down })).toEqual(['relay-unreachable/warning']);
    const auth = relayRules({ relay: relay({ allocated: false, error: '401', errorCode: 'unauthorized' }) });
    expect(auth[0]!.advice[0]).toMatch(/user name, password or shared secret/);
  });

  it('an echo through the relay with no audio back makes the relay unreachable', () => {
    const r = relay({ echo: { answered: true, oneWayAudio: true, received: 0, mos: null } });
    expect(ids({ relay: r })).toEqual(['relay-unreachable/warning']);
    const ok = relay({ echo: { answered: true, oneWayAudio: false, received: 400, mos: 4.3 } });
    expect(relayRules({ relay: ok, nat: nat({ udpBlocked: true }) })[0]!.title).toMatch(/MOS 4\.3/);
  });

  it('an echo service that answers neither call (direct or relayed) says nothing against the relay', () => {
    // only the media is relayed: the relayed call's signalling takes the direct path
    const silent = relay({
      echo: { answered: false, oneWayAudio: false, received: 0, mos: null, directAnswered: false },
    });
    const f = relayRules({ relay: silent });
    expect(f.map((x) => `${x.id}/${x.severity}`)).toEqual(['relay-works/ok']);
    expect(f[0]!.title).toMatch(/echo service answered neither call/);
    expect(f[0]!.evidence.directPath).toBe('not measured');
    // the direct call answered but the relayed one did not: that is the relay's failure
    const relayOnly = relay({
      echo: { answered: false, oneWayAudio: false, received: 0, mos: null, directAnswered: true },
    });
    expect(ids({ relay: relayOnly })).toEqual(['relay-unreachable/warning']);
  });

  it('relay-works does not claim the direct path needs no relay when the direct path was not measured', () => {
    const alone = relayRules({ relay: relay() });
    expect(alone[0]!.id).toBe('relay-works');
    expect(alone[0]!.evidence.directPath).toBe('not measured');
    expect(alone[0]!.advice.join(' ')).not.toMatch(/No relay is needed/);
    expect(alone[0]!.advice.join(' ')).toMatch(/direct path was not measured/);
    const measured = relayRules({ relay: relay(), nat: nat({}) });
    expect(measured[0]!.evidence.directPath).toBe('no problem measured');
    expect(measured[0]!.advice.join(' ')).toMatch(/No relay is needed/);
  });
});
