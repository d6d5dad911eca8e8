import { describe, expect, it } from 'vitest';
import type { MonitorEvent, MonitorSample } from '../../contracts/monitor.ts';
import { diagnose } from '../diagnosis/rules.ts';
import { counterWentBack, detect, initialDetectorState, type DetectorState } from './detect.ts';
import { sampleAt, withRouter, withStun } from './testing.ts';

/** Runs samples through the detector; returns the events of each interval. */
function run(samples: MonitorSample[]): MonitorEvent[][] {
  let state: DetectorState = initialDetectorState;
  return samples.map((s) => {
    const r = detect(state, s);
    state = r.state;
    return r.events;
  });
}
const kinds = (evs: MonitorEvent[][]) => evs.map((e) => e.map((x) => x.kind));

describe('monitor event detector', () => {
  it('reports nothing while nothing changes', () => {
    expect(kinds(run([0, 1, 2, 3].map((i) => sampleAt(i))))).toEqual([[], [], [], []]);
  });

  it('public IP change: once, with before/after and the nat-detected advice for the new address', () => {
    const changed = (i: number) =>
      withStun(sampleAt(i, { publicIp: '198.51.100.7' }), {
        sipPort: { local: '192.168.1.10:5060', mapped: '198.51.100.7:5060', rttMs: 2 },
        randomPort: { local: '192.168.1.10:40001', mapped: '198.51.100.7:40001', rttMs: 2 },
      });
    const evs = run([sampleAt(0), sampleAt(1), changed(2), changed(3)]);
    expect(kinds(evs)).toEqual([[], [], ['public-ip-changed'], []]);
    const e = evs[2]![0]!;
    expect(e).toMatchObject({ before: '203.0.113.2', after: '198.51.100.7', severity: 'warning', seq: 2 });
    // the finding's own advice text, for the new address
    const finding = diagnose({
      nat: {
        udpBlocked: false,
        natDetected: true,
        mapping: null,
        filtering: null,
        hairpinning: null,
        mappedAddress: '198.51.100.7:0',
        localAddress: null,
        classic: null,
        lifetimeSeconds: null,
        server: '203.0.113.10:3478',
      },
    }).find((f) => f.id === 'nat-detected')!;
    expect(e.advice).toContain(finding.advice[0]);
    expect(e.findingId).toBe('nat-detected');
  });

  it('an unanswered STUN probe is unknown, not a change of address', () => {
    const silent = withStun(sampleAt(1, { publicIp: '203.0.113.2' }), {
      sipPort: { local: '192.168.1.10:5060', mapped: null, rttMs: null },
      randomPort: { local: '192.168.1.10:40001', mapped: null, rttMs: null },
      mapping: null,
      portPreserved: null,
      sipBindingOpen: null,
      pings: { sent: 20, received: 0 },
      lossPercent: 100,
    });
    const evs = run([sampleAt(0), silent, sampleAt(2)]);
    expect(evs[1]!.map((e) => e.kind)).toEqual(['stun-unreachable']);
    expect(evs[2]).toEqual([]);
  });

  it('mapped port change of the SIP port (same address)', () => {
    const moved = withStun(sampleAt(1), {
      sipPort: { local: '192.168.1.10:5060', mapped: '203.0.113.2:61000', rttMs: 2 },
    });
    const evs = run([sampleAt(0), moved]);
    expect(evs[1]![0]).toMatchObject({
      kind: 'mapped-port-changed',
      before: '203.0.113.2:5060',
      after: '203.0.113.2:61000',
    });
  });

  it('mapping behaviour change needs two agreeing intervals (no flapping) and carries the symmetric-NAT advice', () => {
    const sym = (i: number) =>
      withStun(sampleAt(i), {
        mapping: 'address-and-port-dependent',
        portPreserved: false,
        randomPort: { local: '192.168.1.10:40000', mapped: '203.0.113.2:23456', rttMs: 2 },
      });
    const flap = run([sampleAt(0), sym(1), sampleAt(2)]);
    expect(kinds(flap)).toEqual([[], [], []]);
    const evs = run([sampleAt(0), sym(1), sym(2), sym(3)]);
    expect(kinds(evs)).toEqual([[], [], ['mapping-behaviour-changed'], []]);
    const e = evs[2]![0]!;
    expect(e.before).toBe('endpoint-independent, port preserved');
    expect(e.after).toBe('address-and-port-dependent, port not preserved');
    expect(e.severity).toBe('problem');
    expect(e.findingId).toBe('symmetric-nat');
    expect(e.advice[0]).toMatch(/not the one the SIP server/);
  });

  it('router reboot from the NAT-PMP epoch (RFC 6886 §3.6) and from UPnP uptime', () => {
    const rebooted = withRouter(sampleAt(2), { epochSeconds: 5, uptimeSeconds: 5 });
    const evs = run([sampleAt(0), sampleAt(1), rebooted, sampleAt(3, {}, 60)]);
    expect(evs[2]!.map((e) => e.kind)).toEqual(['router-rebooted']);
    expect(evs[2]![0]!.evidence.source).toBe('natpmp-epoch');
    const upnpOnly = withRouter(sampleAt(2), { epochSeconds: null, uptimeSeconds: 3 });
    const e2 = run([sampleAt(0), sampleAt(1), upnpOnly]);
    expect(e2[2]![0]).toMatchObject({ kind: 'router-rebooted', evidence: { source: 'upnp-uptime' } });
    expect(e2[2]![0]!.title).toMatch(/internet connection/);
  });

  it('the epoch rule tolerates clock granularity and catches a counter that did not keep up', () => {
    expect(counterWentBack({ seconds: 100, at: 0 }, { seconds: 158, at: 60_000 })).toBe(false);
    expect(counterWentBack({ seconds: 100, at: 0 }, { seconds: 150, at: 60_000 })).toBe(true);
  });

  it('own mapping vanished from the router table; a mapping removed from the ledger is not reported', () => {
    const gone = withRouter(sampleAt(1), {
      ownMappings: [
        { id: 'm1', via: 'upnp', protocol: 'udp', externalPort: 40000, internalPort: 40000, present: false },
      ],
    });
    const evs = run([sampleAt(0), gone, gone]);
    expect(kinds(evs)).toEqual([[], ['mapping-vanished'], []]);
    expect(evs[1]![0]).toMatchObject({
      before: 'udp/40000',
      evidence: { subject: 'router-mapping', via: 'upnp' },
    });
    const deleted = withRouter(sampleAt(1), { ownMappings: [] });
    expect(kinds(run([sampleAt(0), deleted]))).toEqual([[], []]);
  });

  it("the SIP port's binding stopped taking inbound traffic: reported once", () => {
    const closed = (i: number) => withStun(sampleAt(i), { sipBindingOpen: false });
    const evs = run([sampleAt(0), sampleAt(1), closed(2), closed(3), sampleAt(4), closed(5)]);
    expect(kinds(evs)).toEqual([[], [], ['mapping-vanished'], [], [], ['mapping-vanished']]);
    const e = evs[2]![0]!;
    expect(e.evidence).toMatchObject({ subject: 'nat-binding', idleSeconds: 60 });
    // idle 60 s < 120 s: the short-binding-lifetime finding's advice applies
    expect(e.findingId).toBe('short-binding-lifetime');
    expect(e.advice.join(' ')).toMatch(/keep-alive/);
  });

  it('registration failure uses the registration-failed finding advice, and fires again only after a success', () => {
    const fail = (i: number) =>
      sampleAt(i, {
        registration: {
          registrar: '203.0.113.10:5070',
          ok: false,
          status: 403,
          reason: '403 Forbidden',
          expires: null,
        },
      });
    const evs = run([sampleAt(0), fail(1), fail(2), sampleAt(3), fail(4)]);
    expect(kinds(evs)).toEqual([[], ['registration-failed'], [], [], ['registration-failed']]);
    expect(evs[1]![0]!.advice[0]).toMatch(/rejected the credentials/);
    expect(evs[1]![0]!.title).toBe('Registration with 203.0.113.10:5070 failed (SIP 403)');
  });

  it('loss burst from STUN pings: needs 3 lost and 10 %; ends below 5 %', () => {
    const lossy = (i: number, received: number) =>
      withStun(sampleAt(i), { pings: { sent: 20, received }, lossPercent: ((20 - received) / 20) * 100 });
    const evs = run([sampleAt(0), lossy(1, 18), lossy(2, 14), lossy(3, 12), lossy(4, 19), lossy(5, 10)]);
    // 2 lost: noise; 6 lost: burst; still bursting; 1 lost (5 %) does not end it (below 5 % does).
    expect(kinds(evs)).toEqual([[], [], ['loss-burst'], [], [], []]);
    const evs2 = run([sampleAt(0), lossy(1, 14), lossy(2, 20), lossy(3, 14)]);
    expect(kinds(evs2)).toEqual([[], ['loss-burst'], [], ['loss-burst']]);
    expect(evs2[1]![0]!.advice[0]).toMatch(/Loss and jitter come from the path/);
  });

  it('echo calls: one-way audio and MOS drop against the last good call', () => {
    const echo = (i: number, mos: number | null, received = 500) =>
      sampleAt(i, {
        echo: {
          target: 'sip:echo@203.0.113.10',
          answered: true,
          sipStatus: 200,
          endReason: 'completed',
          sent: 500,
          received,
          lossPercent: 0,
          jitterMs: 1,
          rttMs: 20,
          mos,
          oneWayAudio: received === 0,
          error: null,
        },
      });
    const evs = run([echo(0, 4.4), echo(1, 4.3), echo(2, 3.7), echo(3, 3.6), echo(4, 4.4), echo(5, null, 0)]);
    expect(kinds(evs)).toEqual([[], [], ['mos-drop'], [], [], ['one-way-audio']]);
    expect(evs[2]![0]).toMatchObject({ before: 4.3, after: 3.7 });
    expect(evs[5]![0]!.advice[0]).toMatch(/far end sends media to the address in our SDP/);
  });
});
