// `natscope monitor` against real peers — coturn (STUN), miniupnpd (UPnP IGD + NAT-PMP), SIPp
// (registrar and echo) — while the lab's world changes under it. Each change must be reported
// within two intervals. Short intervals (2 s); the loss burst lasts 10 s here, the full-length
// two-minute version is bench/monitor-world.ts.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeLab } from './describe-lab.ts';
import type { Lab } from './lab.ts';
import { startMonitor, startMonitorLab, type MonitorProcess } from './monitor-process.ts';
import { sleep } from './proc.ts';
import {
  NEW_PUBLIC_IP,
  changePublicAddress,
  flushConntrack,
  restartMiniupnpd,
  setNatMode,
} from './world-changes.ts';

const INTERVAL_S = 2;
const WAIT_MS = 60_000;
/** 30 % each way (≈ 51 % of pings lost) for 10 s; bench/monitor-world.ts holds it for two minutes. */
const LOSS_PERCENT = 30;
const LOSS_MS = 10_000;

describeLab('monitor: events while the world changes', () => {
  let lab: Lab;
  let mon: MonitorProcess;

  beforeAll(async () => {
    const world = await startMonitorLab();
    lab = world.lab;
    mon = startMonitor(lab, world.args({ intervalSec: INTERVAL_S, echoEvery: 4, echoSeconds: 2 }), {
      stateDir: world.stateDir,
    });
    await mon.waitForSeq(3, WAIT_MS);
  }, 120_000);

  afterAll(async () => {
    await mon?.peer.stop(8000, 'SIGINT');
    await lab?.destroy();
  });

  it('a quiet network: correct baseline and no events', () => {
    const samples = mon.samples();
    expect(mon.events(), JSON.stringify(mon.events(), null, 1)).toEqual([]);
    const s = samples.at(-1)!;
    expect(s.publicIp).toBe(lab.addr.clientPublic);
    expect(s.stun).toMatchObject({
      mapping: 'endpoint-independent',
      portPreserved: true,
      sipBindingOpen: true,
      lossPercent: 0,
      sipPort: { mapped: `${lab.addr.clientPublic}:5060` },
    });
    expect(s.registration).toMatchObject({ ok: true, status: 200 });
    expect(s.router).toMatchObject({ externalIp: lab.addr.clientPublic, upnp: true, natpmp: true });
    expect(s.router!.ownMappings).toEqual([expect.objectContaining({ externalPort: 40000, present: true })]);
    const echo = samples.find((x) => x.echo)!.echo!;
    expect(echo).toMatchObject({ answered: true, oneWayAudio: false });
    expect(echo.mos).toBeGreaterThan(4);
  });

  it('the public address changes: public-ip-changed', async () => {
    const r = await mon.eventsAfter('public-ip-changed', () => changePublicAddress(lab), WAIT_MS);
    expect(r.events, JSON.stringify(r)).toHaveLength(1);
    expect(r.events[0]).toMatchObject({ before: lab.addr.clientPublic, after: NEW_PUBLIC_IP });
    expect(r.events[0]!.advice.join(' ')).toMatch(/ext-sip-ip/);
  });

  it('the connection table is flushed: the SIP port binding vanished', async () => {
    const r = await mon.eventsAfter('mapping-vanished', () => flushConntrack(lab), WAIT_MS);
    expect(r.events, JSON.stringify(r)).toHaveLength(1);
    expect(r.events[0]!.evidence).toMatchObject({ subject: 'nat-binding' });
    // the binding comes back with the next interval's traffic
    const later = await mon.waitForSeq(r.firstAfter + 2, WAIT_MS);
    expect(later.stun?.sipBindingOpen).toBe(true);
  });

  it('miniupnpd restarts without its leases: mapping vanished and router rebooted', async () => {
    const r = await mon.eventsAfter('mapping-vanished', () => restartMiniupnpd(lab), WAIT_MS);
    const routerView = mon.samples().map((s) => ({ seq: s.seq, router: s.router }));
    expect(r.events, JSON.stringify({ r, routerView })).toHaveLength(1);
    expect(r.events[0]!.evidence).toMatchObject({
      subject: 'router-mapping',
      via: 'upnp',
      externalPort: 40000,
    });
    const reboot = mon.events().filter((e) => e.kind === 'router-rebooted' && e.seq >= r.events[0]!.seq - 1);
    expect(reboot.length, JSON.stringify(mon.events())).toBeGreaterThanOrEqual(1);
  });

  it('loss on the line for a while: one loss-burst, which ends with the loss', async () => {
    const t0 = Date.now();
    const r = await mon.eventsAfter('loss-burst', () => lab.setLoss(LOSS_PERCENT), WAIT_MS);
    expect(r.events, JSON.stringify(r)).toHaveLength(1);
    expect(r.events[0]!.after as number).toBeGreaterThan(20);
    await sleep(Math.max(0, LOSS_MS - (Date.now() - t0)));
    await lab.setLoss(0);
    const clean = await mon.eventsAfter('loss-burst', async () => {}, WAIT_MS);
    expect(clean.events, 'a second burst after the loss ended').toEqual([]);
    expect(mon.samples().at(-1)!.stun!.lossPercent).toBeLessThan(5);
    // the whole loss period was one burst
    expect(mon.events().filter((e) => e.kind === 'loss-burst')).toHaveLength(1);
  });

  it('the NAT becomes fully random: mapping-behaviour-changed', async () => {
    const r = await mon.eventsAfter(
      'mapping-behaviour-changed',
      () => setNatMode(lab, 'fully-random'),
      WAIT_MS,
    );
    expect(r.events, JSON.stringify(r)).toHaveLength(1);
    expect(r.events[0]).toMatchObject({
      before: 'endpoint-independent, port preserved',
      after: 'address-and-port-dependent, port not preserved',
      severity: 'problem',
      findingId: 'symmetric-nat',
    });
  });
});
