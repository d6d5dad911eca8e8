import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../engine/sip/test-fakes.ts';
import { jitteredInterval, runSchedule } from './scheduler.ts';

const flush = () => new Promise((r) => setImmediate(r));

/** Drives the schedule on a manual clock in 100 ms steps until it ends. */
async function drive(
  o: { intervalMs: number; jitter?: number; durationMs?: number; tickMs?: number; random?: () => number },
  stopAfterTicks?: number,
) {
  const clock = new ManualClock();
  const starts: { seq: number; at: number }[] = [];
  const controller = new AbortController();
  let ended: string | null = null;
  void runSchedule({
    clock,
    intervalMs: o.intervalMs,
    jitter: o.jitter ?? 0,
    durationMs: o.durationMs,
    random: o.random ?? (() => 0.5),
    signal: controller.signal,
    firstSeq: 7,
    tick: async (seq) => {
      starts.push({ seq, at: clock.now() });
      if (stopAfterTicks !== undefined && starts.length >= stopAfterTicks) controller.abort();
      // a tick that takes time on the injected clock
      if (o.tickMs) await new Promise<void>((r) => clock.setTimeout(r, o.tickMs!));
    },
  }).then((e) => (ended = e));
  for (let i = 0; i < 100_000 && ended === null; i++) {
    await flush();
    clock.advance(100);
  }
  return { starts, ended };
}

describe('monitor scheduler', () => {
  it('starts ticks one interval apart, numbering from firstSeq, and stops at the duration', async () => {
    const r = await drive({ intervalMs: 1000, durationMs: 5000, tickMs: 300 });
    expect(r.ended).toBe('duration');
    expect(r.starts.map((s) => s.seq)).toEqual([7, 8, 9, 10, 11]);
    expect(r.starts.map((s) => s.at)).toEqual([0, 1000, 2000, 3000, 4000]);
  });

  it('a tick longer than the interval is followed at once, without catch-up bursts', async () => {
    const r = await drive({ intervalMs: 1000, durationMs: 10_000, tickMs: 2500 });
    const gaps = r.starts.slice(1).map((s, i) => s.at - r.starts[i]!.at);
    expect(gaps.every((g) => g >= 2500 && g <= 2600)).toBe(true);
  });

  it('jitter spreads the waits within ± the fraction', async () => {
    expect(jitteredInterval(60_000, 0.1, 0)).toBe(54_000);
    expect(jitteredInterval(60_000, 0.1, 1)).toBe(66_000);
    let k = 0;
    const seq = [0, 1, 0.25];
    const r = await drive({ intervalMs: 1000, jitter: 0.5, durationMs: 3500, random: () => seq[k++ % 3]! });
    // the manual clock moves in 100 ms steps: a wake-up due at 2750 runs at 2800
    expect(r.starts.map((s) => s.at)).toEqual([0, 500, 2000, 2800, 3300]);
  });

  it('stopping ends the run as "stopped"', async () => {
    const r = await drive({ intervalMs: 1000 }, 3);
    expect(r.ended).toBe('stopped');
    expect(r.starts).toHaveLength(3);
  });
});
