/**
 * The time budget of an echo call: `natscope call` always ends within the audio duration plus
 * CALL_MARGIN_MS, whatever the far end does (never answers, rings forever, ignores our BYE or
 * un-REGISTER). Set-up gets until SETUP_LIMIT_MS after the start — enough for a REGISTER and for an
 * unanswered INVITE to reach Timer B (64·T1 = 32 s) — and every wait after the media is cut to what
 * is left. Each bounded wait is cancellable, so nothing keeps the process alive once it is over.
 */
import { sleep, type Clock } from '../../engine/clock/clock.ts';

export const CALL_MARGIN_MS = 40_000;
/** Set-up (REGISTER + INVITE until answered) stops waiting this long after the start. */
export const SETUP_LIMIT_MS = 35_000;
/** The most a BYE and an un-REGISTER are waited for (their Timer F would be 32 s). */
export const BYE_WAIT_MS = 6000;
export const UNREGISTER_WAIT_MS = 3000;
/** Never wait less than this for a step that must be tried at all. */
const FLOOR_MS = 500;

export class CallBudget {
  private readonly clock: Clock;
  readonly startedAt: number;
  readonly deadline: number;

  constructor(clock: Clock, durationSec: number) {
    this.clock = clock;
    this.startedAt = clock.now();
    this.deadline = this.startedAt + durationSec * 1000 + CALL_MARGIN_MS;
  }

  /** Clock time after which set-up gives up (the answer timeout is cut to it). */
  get setupGiveUpAt(): number {
    return this.startedAt + SETUP_LIMIT_MS;
  }

  /** ms left before the deadline, keeping `reserveMs` for later steps (at least FLOOR_MS). */
  left(reserveMs = 0): number {
    return Math.max(FLOOR_MS, this.deadline - this.clock.now() - reserveMs);
  }

  /** Races `work` against `maxMs` (cut to the budget); null if the wait ran out. Never leaves a timer. */
  async bounded<T>(work: Promise<T>, maxMs: number, reserveMs = 0): Promise<T | null> {
    const stop = new AbortController();
    try {
      return await Promise.race([
        work,
        sleep(this.clock, Math.min(maxMs, this.left(reserveMs)), stop.signal).then(
          () => null,
          () => null,
        ),
      ]);
    } finally {
      stop.abort();
    }
  }
}
