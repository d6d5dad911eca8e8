/**
 * Per-source token bucket: each source address gets `burst` tokens, refilled at `ratePerSec`.
 * The table of sources is bounded (least recently seen evicted), so a flood from spoofed
 * addresses costs bounded memory. Time comes from the injected clock.
 */
import type { Clock } from '../clock/clock.ts';

export interface RateLimiterOptions {
  ratePerSec: number;
  burst: number;
  /** Most sources tracked at once (default 10 000). */
  maxSources?: number;
}

export interface RateLimiter {
  /** Takes `cost` tokens for `key`; false = over the limit (drop). */
  allow(key: string, cost?: number): boolean;
  readonly size: number;
  /** Total requests refused so far. */
  readonly refused: number;
}

export function createRateLimiter(clock: Clock, o: RateLimiterOptions): RateLimiter {
  const max = o.maxSources ?? 10_000;
  // Map keeps insertion order: delete + set moves a key to the end (most recent).
  const buckets = new Map<string, { tokens: number; at: number }>();
  let refused = 0;
  return {
    allow(key, cost = 1) {
      const now = clock.now();
      let b = buckets.get(key);
      if (b) {
        buckets.delete(key);
        b.tokens = Math.min(o.burst, b.tokens + ((now - b.at) / 1000) * o.ratePerSec);
        b.at = now;
      } else {
        b = { tokens: o.burst, at: now };
        if (buckets.size >= max) {
          const oldest = buckets.keys().next().value;
          if (oldest !== undefined) buckets.delete(oldest);
        }
      }
      buckets.set(key, b);
      if (b.tokens >= cost) {
        b.tokens -= cost;
        return true;
      }
      refused++;
      return false;
    },
    get size() {
      return buckets.size;
    },
    get refused() {
      return refused;
    },
  };
}

/**
 * A per-source limiter and a global one together (the global one under the single key "*"): a
 * request passes only when both allow it, and a source refused by its own bucket costs the global
 * bucket nothing, so one noisy source cannot use up everybody's share.
 */
export function bothLimits(perSource: RateLimiter, total: RateLimiter): RateLimiter {
  let refused = 0;
  return {
    allow(key, cost = 1) {
      if (perSource.allow(key, cost) && total.allow('*', cost)) return true;
      refused++;
      return false;
    },
    get size() {
      return perSource.size;
    },
    get refused() {
      return refused;
    },
  };
}
