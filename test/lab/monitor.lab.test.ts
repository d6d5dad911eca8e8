// `natscope monitor` against real peers — coturn (STUN), miniupnpd (UPnP IGD + NAT-PMP), SIPp
// (registrar and echo) — while the lab's world changes under it. Each change must be reported
// within two intervals. Short intervals (2 s). Loss held for two minutes is monitor-loss.lab.test.ts
// (its own file, so it runs beside this one).

import { expect, it } from 'vitest';
import { describeLab } from './describe-lab.ts';
import { MONITOR_WAIT_MS as WAIT_MS, watchedLab } from './monitor-hooks.ts';
import {
  NEW_PUBLIC_IP,
  changePublicAddress,
  flushConntrack,
  restartMiniupnpd,
  setNatMode,
} from './world-changes.ts';

describeLab('monitor: events while the world changes', () => {
  const w = watchedLab();

  it('a quiet network: correct baseline and no events', () => {
    const samples = w.mon().samples();
    expect(w.mon().events(), JSON.stringify(w.mon().events(), null, 1)).toEqual([]);
    const s = samples.at(-1)!;
    expect(s.publicIp).toBe(w.lab().addr.clientPublic);
    expect(s.stun).toMatchObject({
      mapping: 'endpoint-independent',
      portPreserved: true,
      sipBindingOpen: true,
      lossPercent: 0,
      sipPort: { mapped: `${w.lab().addr.clientPublic}:5060` },
    });
    expect(s.registration).toMatchObject({ ok: true, status: 200 });
    expect(s.router).toMatchObject({ externalIp: w.lab().addr.clientPublic, upnp: true, natpmp: true });
    expect(s.router!.ownMappings).toEqual([expect.objectContaining({ externalPort: 40000, present: true })]);
    const echo = samples.find((x) => x.echo)!.echo!;
    expect(echo).toMatchObject({ answered: true, oneWayAudio: false });
    expect(echo.mos).toBeGreaterThan(4);
  });

  it('the public address changes: public-ip-changed', async () => {
    const r = await w.mon().eventsAfter('public-ip-changed', () => changePublicAddress(w.lab()), WAIT_MS);
    expect(r.events, JSON.stringify(r)).toHaveLength(1);
    expect(r.events[0]).toMatchObject({ before: w.lab().addr.clientPublic, after: NEW_PUBLIC_IP });
    expect(r.events[0]!.advice.join(' ')).toMatch(/ext-sip-ip/);
  });

  it('the connection table is flushed: the SIP port binding vanished', async () => {
    const r = await w.mon().eventsAfter('mapping-vanished', () => flushConntrack(w.lab()), WAIT_MS);
    expect(r.events, JSON.stringify(r)).toHaveLength(1);
    expect(r.events[0]!.evidence).toMatchObject({ subject: 'nat-binding' });
    // the binding comes back with the next interval's traffic
    const later = await w.mon().waitForSeq(r.firstAfter + 2, WAIT_MS);
    expect(later.stun?.sipBindingOpen).toBe(true);
  });

  it('miniupnpd restarts without its leases: mapping vanished and router rebooted', async () => {
    const r = await w.mon().eventsAfter('mapping-vanished', () => restartMiniupnpd(w.lab()), WAIT_MS);
    const routerView = w
      .mon()
      .samples()
      .map((s) => ({ seq: s.seq, router: s.router }));
    expect(r.events, JSON.stringify({ r, routerView })).toHaveLength(1);
    expect(r.events[0]!.evidence).toMatchObject({
      subject: 'router-mapping',
      via: 'upnp',
      externalPort: 40000,
    });
    const reboot = w
      .mon()
      .events()
      .filter((e) => e.kind === 'router-rebooted' && e.seq >= r.events[0]!.seq - 1);
    expect(reboot.length, JSON.stringify(w.mon().events())).toBeGreaterThanOrEqual(1);
  });

  it('the NAT becomes fully random: mapping-behaviour-changed', async () => {
    const r = await w
      .mon()
      .eventsAfter('mapping-behaviour-changed', () => setNatMode(w.lab(), 'fully-random'), WAIT_MS);
    expect(r.events, JSON.stringify(r)).toHaveLength(1);
    expect(r.events[0]).toMatchObject({
      before: 'endpoint-independent, port preserved',
      after: 'address-and-port-dependent, port not preserved',
      severity: 'problem',
      findingId: 'symmetric-nat',
    });
  });
});
