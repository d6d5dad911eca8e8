/**
 * Per-source token bucket: each source gets `burst` tokens, refilled at `ratePerSec`. The table of
 * sources is bounded (source-buckets.ts: least recently seen replaced), so a flood from spoofed
 * addresses costs bounded memory, and nothing is allocated per packet. Time comes from the
 * injected clock.
 */
import type { Clock } from '../clock/clock.ts';
import { SourceBuckets } from './source-buckets.ts';
import { sourceKeyWords } from './source-key.ts';

export interface RateLimiterOptions {
  ratePerSec: number;
  burst: number;
  /** Most sources tracked at once (default 10 000). */
  maxSources?: number;
  /**
   * Shared table memory (SourceBuckets.bytesFor) and hash seed: limiters in several threads built
   * on the same memory count every source once for all of them (`natscope server --workers N`).
   */
  shared?: { memory: ArrayBufferLike; seed: number };
}

export interface RateLimiter {
  /** Takes `cost` tokens for `key` (an address, a sourceKey() or any other text); false = drop. */
  allow(key: string, cost?: number): boolean;
  /** Takes `cost` tokens for the source of `address` (IPv4 /32, IPv6 /64): the per-packet form. */
  allowAddress(address: string, cost?: number): boolean;
  /** The same for a source already in sourceKeyWords' form (tag, hi, lo): no text at all. */
  allowKey(tag: number, hi: number, lo: number, cost?: number): boolean;
  readonly size: number;
  /** Total requests refused so far. */
  readonly refused: number;
}

const words = new Uint32Array(3);

export function createRateLimiter(clock: Clock, o: RateLimiterOptions): RateLimiter {
  const table = new SourceBuckets(
    { ratePerSec: o.ratePerSec, burst: o.burst, maxSources: o.maxSources ?? 10_000 },
    o.shared?.memory,
    o.shared?.seed,
  );
  const allowAddress = (address: string, cost = 1) => {
    sourceKeyWords(address, words);
    return table.take(words[0]!, words[1]!, words[2]!, clock.now(), cost);
  };
  return {
    allow: allowAddress, // an IPv4 key is its address; any other key is hashed
    allowAddress,
    allowKey: (tag, hi, lo, cost = 1) => table.take(tag, hi, lo, clock.now(), cost),
    get size() {
      return table.size;
    },
    get refused() {
      return table.refused;
    },
  };
}

/** One token bucket (a call's media, or all sources together): two numbers, nothing allocated. */
export class TokenBucket {
  private tokens: number;
  private at: number;
  private readonly ratePerSec: number;
  private readonly burst: number;

  constructor(ratePerSec: number, burst: number, now: number) {
    this.ratePerSec = ratePerSec;
    this.burst = burst;
    this.tokens = burst;
    this.at = now;
  }

  take(now: number, cost = 1): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.ratePerSec);
    this.at = now;
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }
}

/** A limiter for all sources together: one bucket, whatever the key. */
export function createTotalLimiter(clock: Clock, ratePerSec: number, burst: number): RateLimiter {
  const bucket = new TokenBucket(ratePerSec, burst, clock.now());
  let refused = 0;
  const allow = (_key: string, cost = 1) => {
    if (bucket.take(clock.now(), cost)) return true;
    refused++;
    return false;
  };
  return {
    allow,
    allowAddress: allow,
    allowKey: (_tag, _hi, _lo, cost = 1) => allow('*', cost),
    size: 1,
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
  const passes = (ok: boolean, cost: number) => {
    if (ok && total.allow('*', cost)) return true;
    refused++;
    return false;
  };
  return {
    allow: (key, cost = 1) => passes(perSource.allow(key, cost), cost),
    allowAddress: (address, cost = 1) => passes(perSource.allowAddress(address, cost), cost),
    allowKey: (tag, hi, lo, cost = 1) => passes(perSource.allowKey(tag, hi, lo, cost), cost),
    get size() {
      return perSource.size;
    },
    get refused() {
      return refused;
    },
  };
}
