/**
 * Receiver statistics for one RTP stream — RFC 3550 Appendix A.1 (sequence number tracking with
 * wrap-around and restart detection), A.3 (expected / lost / fraction lost) and A.8 (interarrival
 * jitter), plus duplicate and reordering counts which RFC 3550 does not define: a duplicate is an
 * extended sequence number seen before (within a 1024-packet window); a reordered packet arrived
 * after a higher sequence number and was not a duplicate.
 */
const RTP_SEQ_MOD = 1 << 16;
const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;
const WINDOW = 1024;

export interface ReceiverSnapshot {
  received: number; // unique packets
  expected: number;
  lost: number; // may be negative with duplicates per RFC 3550; clamped ≥ 0 here
  lossPercent: number;
  duplicates: number;
  reordered: number;
  jitterMs: number;
  jitterTs: number;
  extendedHighestSeq: number;
  /** Number of loss events (runs of consecutive lost packets): with `lost` and `received` it gives the burst ratio. */
  lossBursts: number;
}

export class ReceiverStats {
  private readonly clockRate: number;
  private initialized = false;
  private baseSeq = 0;
  private maxSeq = 0;
  private cycles = 0;
  private badSeq = RTP_SEQ_MOD + 1;
  private received = 0;
  private duplicates = 0;
  private reordered = 0;
  private jitter = 0; // in timestamp units, ×1 (float; A.8 uses a scaled int, same value)
  private lastTransit: number | null = null;
  private readonly seen = new Float64Array(WINDOW).fill(-1);
  private lossBursts = 0;
  // For RR fraction lost (§6.4.1 / A.3)
  private expectedPrior = 0;
  private receivedPrior = 0;

  constructor(clockRate: number) {
    this.clockRate = clockRate;
  }

  /** Feeds one packet; `arrivalMs` on any monotonic clock.  */
  add(seq: number, rtpTimestamp: number, arrivalMs: number): 'ok' | 'duplicate' | 'reordered' | 'restart' {
    if (!this.initialized) {
      this.init(seq);
      this.initialized = true;
      this.received = 1;
      this.mark(seq);
      this.updateJitter(rtpTimestamp, arrivalMs);
      return 'ok';
    }
    const udelta = (seq - this.maxSeq + RTP_SEQ_MOD) % RTP_SEQ_MOD;
    let result: 'ok' | 'duplicate' | 'reordered' | 'restart' = 'ok';
    let ext: number;
    if (udelta === 0) {
      this.duplicates++;
      return 'duplicate';
    } else if (udelta < MAX_DROPOUT) {
      if (seq < this.maxSeq) this.cycles += RTP_SEQ_MOD;
      const prevMax = this.cycles + this.maxSeq;
      this.maxSeq = seq;
      ext = this.cycles + seq;
      if (ext - prevMax > 1) this.lossBursts++;
    } else if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
      // A very large jump: the sender restarted (A.1): accept after two sequential packets.
      if (seq === this.badSeq) {
        this.init(seq);
        result = 'restart';
        ext = this.cycles + seq;
      } else {
        this.badSeq = (seq + 1) & (RTP_SEQ_MOD - 1);
        return 'restart';
      }
    } else {
      // Late (misordered) packet within MAX_MISORDER.
      ext = this.cycles + seq - (seq > this.maxSeq ? RTP_SEQ_MOD : 0);
      if (this.isSeen(ext)) {
        this.duplicates++;
        return 'duplicate';
      }
      this.reordered++;
      result = 'reordered';
      // A late packet changes the loss runs: it closes a one-packet gap or splits a longer one.
      const before = this.isSeen(ext - 1);
      const after = this.isSeen(ext + 1);
      if (before && after) this.lossBursts--;
      else if (!before && !after) this.lossBursts++;
    }
    this.mark(ext);
    this.received++;
    this.updateJitter(rtpTimestamp, arrivalMs);
    return result;
  }

  private init(seq: number): void {
    this.baseSeq = seq;
    this.maxSeq = seq;
    this.badSeq = RTP_SEQ_MOD + 1;
    this.cycles = 0;
    this.seen.fill(-1);
    this.lastTransit = null;
    this.expectedPrior = 0;
    this.receivedPrior = 0;
    this.received = 0;
  }

  private mark(ext: number): void {
    // Each slot holds the extended number it was last used for, so stale slots never match.
    this.seen[ext % WINDOW] = ext;
  }

  private isSeen(ext: number): boolean {
    return this.seen[ext % WINDOW] === ext;
  }

  /** A.8: J += (|D| − J) / 16 with D the difference in relative transit times. */
  private updateJitter(rtpTimestamp: number, arrivalMs: number): void {
    const arrival = (arrivalMs * this.clockRate) / 1000;
    const transit = arrival - rtpTimestamp;
    if (this.lastTransit !== null) {
      let d = transit - this.lastTransit;
      // Timestamps are 32-bit: unwrap a difference that crossed the wrap.
      if (d > 2 ** 31) d -= 2 ** 32;
      else if (d < -(2 ** 31)) d += 2 ** 32;
      this.jitter += (Math.abs(d) - this.jitter) / 16;
    }
    this.lastTransit = transit;
  }

  get hasData(): boolean {
    return this.initialized;
  }

  snapshot(): ReceiverSnapshot {
    const extMax = this.cycles + this.maxSeq;
    const expected = this.initialized ? extMax - this.baseSeq + 1 : 0;
    const lost = Math.max(0, expected - this.received);
    return {
      received: this.received,
      expected,
      lost,
      lossPercent: expected > 0 ? (100 * lost) / expected : 0,
      duplicates: this.duplicates,
      reordered: this.reordered,
      jitterMs: (this.jitter * 1000) / this.clockRate,
      jitterTs: Math.round(this.jitter),
      extendedHighestSeq: extMax,
      lossBursts: this.lossBursts,
    };
  }

  /** The fraction-lost byte for an RR report block since the previous call (A.3). */
  takeFractionLost(): { fraction: number; cumulative: number } {
    const s = this.snapshot();
    const expectedInterval = s.expected - this.expectedPrior;
    const receivedInterval = this.received - this.receivedPrior;
    this.expectedPrior = s.expected;
    this.receivedPrior = this.received;
    const lostInterval = expectedInterval - receivedInterval;
    const fraction =
      expectedInterval === 0 || lostInterval <= 0 ? 0 : Math.floor((lostInterval << 8) / expectedInterval);
    return { fraction: Math.min(255, fraction), cumulative: s.expected - this.received };
  }
}
