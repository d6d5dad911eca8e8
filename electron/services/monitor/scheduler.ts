/**
 * The monitor's clock: runs `tick(seq)` every interval, start to start, each wait jittered by ± a
 * fraction of the interval so many monitors (or a monitor and a cron job) never probe in lockstep.
 * A tick that overruns its interval is followed by the next one at once, never by a burst of
 * catch-up ticks. Time and randomness are injected so tests drive it without sleeping.
 */
import { sleep, type Clock } from '../../engine/clock/clock.ts';

export interface ScheduleOptions {
  clock: Clock;
  intervalMs: number;
  /** Fraction of the interval, 0–0.5. */
  jitter: number;
  /** Stop once this much time has passed (no new tick starts after it). */
  durationMs?: number;
  /** Returns [0, 1). */
  random: () => number;
  signal: AbortSignal;
  firstSeq: number;
  tick(seq: number): Promise<void>;
}

export type ScheduleEnd = 'duration' | 'stopped';

/** The wait from one tick's start to the next: interval × (1 ± jitter). */
export function jitteredInterval(intervalMs: number, jitter: number, random: number): number {
  return intervalMs * (1 + jitter * (2 * random - 1));
}

export async function runSchedule(o: ScheduleOptions): Promise<ScheduleEnd> {
  const start = o.clock.now();
  const deadline = o.durationMs === undefined ? Infinity : start + o.durationMs;
  for (let seq = o.firstSeq; ; seq++) {
    if (o.signal.aborted) return 'stopped';
    const t0 = o.clock.now();
    await o.tick(seq);
    if (o.signal.aborted) return 'stopped';
    const nextAt = t0 + jitteredInterval(o.intervalMs, o.jitter, o.random());
    if (nextAt >= deadline) {
      const rest = deadline - o.clock.now();
      if (rest > 0 && !(await wait(o, rest))) return 'stopped';
      return 'duration';
    }
    if (!(await wait(o, nextAt - o.clock.now()))) return 'stopped';
  }
}

/** Sleeps; false when the signal ended the wait. */
async function wait(o: ScheduleOptions, ms: number): Promise<boolean> {
  if (ms <= 0) return !o.signal.aborted;
  try {
    await sleep(o.clock, ms, o.signal);
    return true;
  } catch {
    return false;
  }
}
