// `natscope monitor` while the line loses packets for two whole minutes (netem on the router, 30 %
// each way ≈ 51 % of the STUN pings): reported within two intervals as one loss-burst — not one per
// interval, not flapping — no second burst once the loss ends, and no binding declared vanished
// because an inbound check was lost. Real peers: coturn (pings), SIPp (registrar, echo calls
// through the loss), miniupnpd.

import { expect, it } from 'vitest';
import { describeLab } from './describe-lab.ts';
import { MONITOR_WAIT_MS as WAIT_MS, watchedLab } from './monitor-hooks.ts';
import { sleep } from './proc.ts';

const LOSS_PERCENT = 30;
const LOSS_MS = 120_000;

describeLab('monitor: loss on the line for two minutes', () => {
  const w = watchedLab();

  it('one loss-burst within two intervals, lasting the whole loss period, none after it', async () => {
    const lab = w.lab();
    const mon = w.mon();
    expect(mon.events(), 'a quiet start').toEqual([]);
    const t0 = Date.now();
    const r = await mon.eventsAfter('loss-burst', () => lab.setLoss(LOSS_PERCENT), WAIT_MS);
    expect(r.events, JSON.stringify(r)).toHaveLength(1);
    expect(r.events[0]!.after as number).toBeGreaterThan(20);
    await sleep(Math.max(0, LOSS_MS - (Date.now() - t0)));
    const during = mon.samples().filter((s) => s.seq >= r.firstAfter);
    await lab.setLoss(0);
    // the loss really lasted: most intervals of the period measured it
    const lossy = during.filter((s) => (s.stun?.lossPercent ?? 0) >= 10);
    expect(lossy.length, JSON.stringify(during.map((s) => s.stun?.lossPercent))).toBeGreaterThan(
      during.length * 0.8,
    );
    const clean = await mon.eventsAfter('loss-burst', async () => {}, WAIT_MS);
    expect(clean.events, 'a second burst after the loss ended').toEqual([]);
    expect(mon.samples().at(-1)!.stun!.lossPercent).toBeLessThan(5);
    // the whole two minutes were one burst
    expect(mon.events().filter((e) => e.kind === 'loss-burst')).toHaveLength(1);
    // a lost inbound check is not a vanished binding: nothing but the loss (and what it does to the
    // echo calls and the registration) is reported
    const vanished = mon.events().filter((e) => e.kind === 'mapping-vanished');
    expect(vanished, JSON.stringify(vanished)).toEqual([]);
  }, 300_000);
});
