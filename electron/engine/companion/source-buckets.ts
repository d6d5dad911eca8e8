/**
 * Token buckets for many sources in fixed typed arrays: no Map, no object per source, nothing
 * allocated per packet (issue #19: a Map delete + set per datagram was a measurable share of the
 * companion's CPU, and its garbage kept the young generation busy).
 *
 * A source is three numbers — a tag (4: IPv4 /32, 6: IPv6 /64, 1: any other key, hashed) and two
 * 32-bit words — found by open addressing in a window of WINDOW slots from its seeded hash. The
 * table holds at most `maxSources` sources: a new one past that replaces the least recently seen
 * source of its window (or, when its window is empty, the next one under a clock hand), so a flood of
 * spoofed sources costs bounded memory. A replaced source starts again with a full bucket, as in
 * the least-recently-seen table this replaces.
 *
 * The arrays may live in a SharedArrayBuffer: the STUN worker threads of `natscope server
 * --workers N` then count every source in one table, so a per-source limit holds for the host, not
 * per thread. One spin lock (Atomics) guards each operation; it is held for a few hundred nanoseconds.
 */

const WINDOW = 8;
// Header words (Int32): lock, sources, refused, clock hand.
const H_LOCK = 0;
const H_COUNT = 1;
const H_REFUSED = 2;
const H_HAND = 3;
const HEADER_BYTES = 16;

export interface SourceBucketsOptions {
  ratePerSec: number;
  burst: number;
  /** Most sources tracked at once. */
  maxSources: number;
}

function capacityFor(maxSources: number): number {
  let c = WINDOW;
  while (c < maxSources * 2) c *= 2;
  return c;
}

/** murmur3's finaliser over the three words and a per-table seed. */
function mix(tag: number, hi: number, lo: number, seed: number): number {
  let h = Math.imul(lo ^ seed, 0xcc9e2d51);
  h = Math.imul((h << 15) | (h >>> 17), 0x1b873593) ^ hi;
  h = Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64 + tag;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export class SourceBuckets {
  /** Bytes of memory a table for `maxSources` needs (for a SharedArrayBuffer). */
  static bytesFor(maxSources: number): number {
    return HEADER_BYTES + capacityFor(maxSources) * 28 + 8; // 3 × 4 (key) + 2 × 8 (bucket) per slot, aligned
  }

  private readonly o: SourceBucketsOptions;
  private readonly mask: number;
  private readonly seed: number;
  private readonly header: Int32Array;
  private readonly tags: Int32Array;
  private readonly his: Uint32Array;
  private readonly los: Uint32Array;
  private readonly tokens: Float64Array;
  private readonly at: Float64Array;

  /**
   * `memory`: a (Shared)ArrayBuffer of bytesFor(maxSources) bytes shared with other threads, all
   * built with the same options and `seed`; a private one by default.
   */
  constructor(o: SourceBucketsOptions, memory?: ArrayBufferLike, seed?: number) {
    this.o = o;
    const cap = capacityFor(o.maxSources);
    this.mask = cap - 1;
    this.seed = seed ?? (Math.random() * 0x100000000) >>> 0;
    const buf = memory ?? new ArrayBuffer(SourceBuckets.bytesFor(o.maxSources));
    if (buf.byteLength < SourceBuckets.bytesFor(o.maxSources))
      throw new RangeError('bucket memory too small');
    const f64 = HEADER_BYTES + ((cap * 12 + 7) & ~7);
    this.header = new Int32Array(buf, 0, 4);
    this.tags = new Int32Array(buf, HEADER_BYTES, cap);
    this.his = new Uint32Array(buf, HEADER_BYTES + cap * 4, cap);
    this.los = new Uint32Array(buf, HEADER_BYTES + cap * 8, cap);
    this.tokens = new Float64Array(buf, f64, cap);
    this.at = new Float64Array(buf, f64 + cap * 8, cap);
  }

  get size(): number {
    return Atomics.load(this.header, H_COUNT);
  }

  get refused(): number {
    return Atomics.load(this.header, H_REFUSED);
  }

  /** Takes `cost` tokens from the source (tag, hi, lo) at time `now` (ms); false = over its limit. */
  take(tag: number, hi: number, lo: number, now: number, cost = 1): boolean {
    const h = this.header;
    while (Atomics.compareExchange(h, H_LOCK, 0, 1) !== 0); // spin: held for a few hundred ns
    try {
      const slot = this.find(tag, hi >>> 0, lo >>> 0, now);
      const o = this.o;
      const t = Math.min(o.burst, this.tokens[slot]! + ((now - this.at[slot]!) / 1000) * o.ratePerSec);
      this.at[slot] = now;
      if (t >= cost) {
        this.tokens[slot] = t - cost;
        return true;
      }
      this.tokens[slot] = t;
      h[H_REFUSED]!++;
      return false;
    } finally {
      Atomics.store(h, H_LOCK, 0);
    }
  }

  /** The slot of (tag, hi, lo), inserting it (full bucket) when absent. Called under the lock. */
  private find(tag: number, hi: number, lo: number, now: number): number {
    const { tags, his, los, at, mask } = this;
    const start = mix(tag, hi, lo, this.seed) & mask;
    let empty = -1;
    let oldest = -1;
    for (let k = 0; k < WINDOW; k++) {
      const i = (start + k) & mask;
      const t = tags[i]!;
      if (t === 0) {
        if (empty < 0) empty = i;
      } else if (t === tag && his[i] === hi && los[i] === lo) return i;
      else if (oldest < 0 || at[i]! < at[oldest]!) oldest = i;
    }
    let slot: number;
    if (empty >= 0 && this.header[H_COUNT]! < this.o.maxSources) {
      slot = empty;
      this.header[H_COUNT]!++;
    } else if (oldest >= 0)
      slot = oldest; // replace the least recently seen of the window
    else {
      // the window is empty but the table is full elsewhere: free the next source under the hand
      let i = this.header[H_HAND]! & mask;
      while (tags[i] === 0) i = (i + 1) & mask;
      tags[i] = 0;
      this.header[H_HAND] = (i + 1) & mask;
      slot = empty;
    }
    tags[slot] = tag;
    his[slot] = hi;
    los[slot] = lo;
    this.tokens[slot] = this.o.burst;
    at[slot] = now;
    return slot;
  }
}
