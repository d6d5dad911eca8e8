/**
 * What the inbound-call probes mean: the longest silence after which a call still arrived, the
 * shortest after which it did not, and the keep-alive interval to recommend. Also which speculative
 * keep-alive runs are still worth waiting for while the probes resolve (the keep-alive check runs
 * in parallel with the probes so the whole test takes about as long as the longest idle time). Pure.
 */
import { recommendedKeepAlive } from '../keepalive-advice.ts';

/** `received: null` = inconclusive (the registration failed, the run was cancelled, an error). */
export interface ProbeOutcome {
  idleSeconds: number;
  received: boolean | null;
}

export interface IdleVerdict {
  /** Longest idle time that arrived and is shorter than every idle time that did not. */
  longestWorkingIdleSeconds: number | null;
  /** Shortest idle time that did not arrive. */
  firstFailingIdleSeconds: number | null;
  /** Idle times that arrived although a shorter one did not (loss, or an irregular NAT). */
  nonMonotonic: number[];
  /** Keep-alive interval for the longest working idle time (null: nothing arrived). */
  recommendedKeepAliveSeconds: number | null;
  /** At least one probe gave an answer either way. */
  conclusive: boolean;
}

export function idleVerdict(tests: readonly ProbeOutcome[]): IdleVerdict {
  const sorted = [...tests].sort((a, b) => a.idleSeconds - b.idleSeconds);
  const failing = sorted.find((t) => t.received === false)?.idleSeconds ?? null;
  const below = (t: ProbeOutcome) => failing === null || t.idleSeconds < failing;
  const working = sorted.filter((t) => t.received === true && below(t)).pop()?.idleSeconds ?? null;
  return {
    longestWorkingIdleSeconds: working,
    firstFailingIdleSeconds: failing,
    nonMonotonic: sorted.filter((t) => t.received === true && !below(t)).map((t) => t.idleSeconds),
    recommendedKeepAliveSeconds: working === null ? null : recommendedKeepAlive(working),
    conclusive: sorted.some((t) => t.received !== null),
  };
}

/** A keep-alive run started before the probes resolve, for one possible outcome. */
export interface KeepAliveCandidate {
  /** The longest working idle time this run's interval is the recommendation for (null: user-chosen interval). */
  ifLongestWorking: number | null;
  intervalSeconds: number;
  /** The silence to survive: the longest idle time of the run. */
  idleSeconds: number;
}

/**
 * One candidate per outcome that can still need a keep-alive: "the longest working idle time is
 * idle[i]" for every idle time but the longest (if the longest works, nothing needs fixing). A
 * user-chosen interval gives exactly one candidate.
 */
export function keepAliveCandidates(idles: readonly number[], fixedInterval?: number): KeepAliveCandidate[] {
  const sorted = [...new Set(idles)].sort((a, b) => a - b);
  const longest = sorted[sorted.length - 1];
  if (longest === undefined) return [];
  if (fixedInterval !== undefined)
    return [{ ifLongestWorking: null, intervalSeconds: fixedInterval, idleSeconds: longest }];
  const out: KeepAliveCandidate[] = [];
  for (const idle of sorted.slice(0, -1)) {
    const intervalSeconds = recommendedKeepAlive(idle);
    if (out.some((c) => c.intervalSeconds === intervalSeconds)) continue;
    out.push({ ifLongestWorking: idle, intervalSeconds, idleSeconds: longest });
  }
  return out;
}

/**
 * False once the probes resolved so far rule the candidate out: an idle time up to its assumed
 * limit failed, or a longer one already arrived together with everything shorter.
 */
export function candidateStillNeeded(c: KeepAliveCandidate, sofar: readonly ProbeOutcome[]): boolean {
  if (c.ifLongestWorking === null) return true;
  const limit = c.ifLongestWorking;
  if (sofar.some((t) => t.received === false && t.idleSeconds <= limit)) return false;
  const sorted = [...sofar].sort((a, b) => a.idleSeconds - b.idleSeconds);
  let prefix = 0;
  for (const t of sorted) {
    if (t.received !== true) break;
    prefix = t.idleSeconds;
  }
  return prefix <= limit;
}

/** The candidate that matches the final verdict (null when nothing failed or nothing arrived). */
export function chosenCandidate<C extends KeepAliveCandidate>(
  candidates: readonly C[],
  v: IdleVerdict,
): C | null {
  if (v.firstFailingIdleSeconds === null) return null;
  const fixed = candidates.find((c) => c.ifLongestWorking === null);
  if (fixed) return fixed;
  return candidates.find((c) => c.intervalSeconds === v.recommendedKeepAliveSeconds) ?? null;
}
