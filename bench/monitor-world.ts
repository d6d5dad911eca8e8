// Full-length version of test/lab/monitor.lab.test.ts (prints numbers; not in CI): `natscope monitor`
// in the lab while the world changes — new public address, connection table flushed, miniupnpd
// rebooted without its mappings, loss on the line for two whole minutes, the NAT turned fully random
// — and, for each change, which interval reported it and how long after the change.
//
//   node bench/monitor-world.ts [--interval 10] [--loss-seconds 120] [--loss-percent 30] [--keep-history FILE]
//
// --keep-history copies the run's history out of the lab (open it in the Monitor step, or pass it to
// `natscope diagnose --monitor-history`).
//
// Needs root + Linux + the lab packages and the built CLI (npm run build:node). Exits 1 when a change
// is not reported within two intervals, or the loss period gives more than one loss-burst event.
import { copyFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { MonitorEvent } from '../shared/contracts/monitor.ts';
import { startMonitor, startMonitorLab, type MonitorProcess } from '../test/lab/monitor-process.ts';
import { sleep } from '../test/lab/proc.ts';
import { labSupport } from '../test/lab/support.ts';
import {
  changePublicAddress,
  flushConntrack,
  restartMiniupnpd,
  setNatMode,
} from '../test/lab/world-changes.ts';

const { values } = parseArgs({
  options: {
    interval: { type: 'string', default: '10' },
    'loss-seconds': { type: 'string', default: '120' },
    'loss-percent': { type: 'string', default: '30' },
    'keep-history': { type: 'string' },
  },
});
const support = labSupport();
if (!support.ok) {
  console.error(`bench: ${support.reason}`);
  process.exit(2);
}
const intervalSec = Number(values.interval);
const lossMs = Number(values['loss-seconds']) * 1000;
const wait = intervalSec * 1000 * 6 + 60_000;

interface Row {
  change: string;
  kind: MonitorEvent['kind'];
  found: boolean;
  /** Intervals after the change (1 = the first interval that started after it). */
  interval: number | null;
  seconds: number | null;
  note: string;
}
const rows: Row[] = [];

async function check(
  mon: MonitorProcess,
  change: string,
  kind: MonitorEvent['kind'],
  act: () => Promise<void>,
): Promise<MonitorEvent | null> {
  const t0 = Date.now();
  const r = await mon.eventsAfter(kind, act, wait);
  const e = r.events[0] ?? null;
  rows.push({
    change,
    kind,
    found: e !== null,
    interval: e ? e.seq - r.firstAfter + 1 : null,
    seconds: e ? Math.round((Date.parse(e.at) - t0) / 100) / 10 : null,
    note: e
      ? e.title
      : `not within two intervals${r.outside.length ? ` (later: #${r.outside[0]!.seq})` : ''}`,
  });
  return e;
}

const world = await startMonitorLab();
const { lab } = world;
const mon = startMonitor(lab, world.args({ intervalSec, echoEvery: 6, echoSeconds: 5 }), {
  stateDir: world.stateDir,
});
try {
  await mon.waitForSeq(2, wait);
  const quiet = mon.events();
  await check(mon, 'public address 203.0.113.2 → .5', 'public-ip-changed', () => changePublicAddress(lab));
  await check(mon, 'conntrack -F on the router', 'mapping-vanished', () => flushConntrack(lab));
  await check(mon, 'miniupnpd reboot, leases lost', 'mapping-vanished', () => restartMiniupnpd(lab));
  const lossStart = Date.now();
  await check(mon, `loss ${values['loss-percent']} % each way`, 'loss-burst', () =>
    lab.setLoss(Number(values['loss-percent'])),
  );
  await sleep(Math.max(0, lossMs - (Date.now() - lossStart)));
  await lab.setLoss(0);
  const lossEnd = Date.now();
  await mon.waitForSeq((mon.samples().at(-1)?.seq ?? 0) + 2, wait);
  const bursts = mon.events().filter((e) => e.kind === 'loss-burst' && Date.parse(e.at) >= lossStart - 1000);
  const during = mon.samples().filter((s) => Date.parse(s.at) >= lossStart && Date.parse(s.at) < lossEnd);
  const lossValues = during.map((s) => s.stun?.lossPercent ?? 0);
  rows.push({
    change: `… held ${lossMs / 1000} s`,
    kind: 'loss-burst',
    found: bursts.length === 1,
    interval: null,
    seconds: null,
    note: `${bursts.length} burst event(s) over ${during.length} intervals, ping loss ${Math.min(...lossValues)}–${Math.max(...lossValues)} %`,
  });
  await check(mon, 'masquerade → fully-random', 'mapping-behaviour-changed', () =>
    setNatMode(lab, 'fully-random'),
  );
  console.log(
    `monitor world bench: ${intervalSec} s interval, ${mon.samples().length} intervals, quiet start: ${quiet.length} events`,
  );
  console.log('| change | event | reported | in interval | after | |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const r of rows)
    console.log(
      `| ${r.change} | \`${r.kind}\` | ${r.found ? 'yes' : 'NO'} | ${r.interval ?? '—'} | ${r.seconds === null ? '—' : `${r.seconds} s`} | ${r.note} |`,
    );
  for (const r of rows) if (!r.found) console.log(`FAIL: ${r.change}: ${r.note}`);
  process.exitCode = rows.every((r) => r.found) && quiet.length === 0 ? 0 : 1;
} finally {
  await mon.peer.stop(8000, 'SIGINT');
  if (values['keep-history']) copyFileSync(mon.history, values['keep-history']);
  await lab.destroy();
}
