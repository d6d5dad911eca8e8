// Vitest hooks for a monitor lab file: the lab with `natscope monitor` running in it before the
// tests, both torn down after. (Kept apart from monitor-process.ts, which bench scripts import.)

import { afterAll, beforeAll } from 'vitest';
import type { Lab } from './lab.ts';
import { startWatchedLab, type MonitorProcess } from './monitor-process.ts';

export const MONITOR_INTERVAL_S = 2;
export const MONITOR_WAIT_MS = 60_000;

export function watchedLab(): { lab(): Lab; mon(): MonitorProcess } {
  let w: { lab: Lab; mon: MonitorProcess } | undefined;
  beforeAll(async () => {
    w = await startWatchedLab({
      intervalSec: MONITOR_INTERVAL_S,
      echoEvery: 4,
      echoSeconds: 2,
      waitMs: MONITOR_WAIT_MS,
    });
  }, 120_000);
  afterAll(async () => {
    await w?.mon.peer.stop(8000, 'SIGINT');
    await w?.lab.destroy();
  });
  const get = () => {
    if (!w) throw new Error('the monitor lab did not start');
    return w;
  };
  return { lab: () => get().lab, mon: () => get().mon };
}
