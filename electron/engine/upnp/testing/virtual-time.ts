/** Test helper: drives a ManualClock so code waiting on it runs without real waiting. */
import type { ManualClock } from '../../sip/test-fakes.ts';

/**
 * Runs `p` on virtual time: once the fake LAN's pending deliveries (real 0 ms timers) have run,
 * the clock moves on by `stepMs`.
 */
export async function onVirtualTime<T>(clock: ManualClock, p: Promise<T>, stepMs = 100): Promise<T> {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  while (!done) {
    for (let i = 0; i < 3 && !done; i++) await new Promise((r) => setTimeout(r, 0));
    if (!done) clock.advance(stepMs);
  }
  return p;
}
