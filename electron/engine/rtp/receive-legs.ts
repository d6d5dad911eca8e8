/**
 * Receiver statistics that follow the media when a re-INVITE or UPDATE moves it (RFC 3264 §8):
 * each remote is a new RTP stream with its own sequence space (RFC 3550 §8.2 gives the new source
 * its own SSRC and random sequence start), so it gets its own ReceiverStats — a leg. Totals
 * (received, expected, lost, loss events, duplicates, reordering) add up over the legs; jitter is
 * the current leg's (RFC 3550 A.8 jitter is per source). RTCP reports describe the current leg.
 */
import { ReceiverStats, type ReceiverSnapshot } from './receiver-stats.ts';

export class ReceiveLegs {
  private readonly clockRate: number;
  private leg: ReceiverStats;
  private closed = { received: 0, expected: 0, lost: 0, duplicates: 0, reordered: 0, lossBursts: 0 };
  legs = 1;

  constructor(clockRate: number) {
    this.clockRate = clockRate;
    this.leg = new ReceiverStats(clockRate);
  }

  get current(): ReceiverStats {
    return this.leg;
  }

  add(seq: number, rtpTimestamp: number, arrivalMs: number): ReturnType<ReceiverStats['add']> {
    return this.leg.add(seq, rtpTimestamp, arrivalMs);
  }

  /** The media moved: close the current leg (if it saw anything) and start a new one. */
  newLeg(): void {
    if (!this.leg.hasData) return;
    const s = this.leg.snapshot();
    this.closed = {
      received: this.closed.received + s.received,
      expected: this.closed.expected + s.expected,
      lost: this.closed.lost + s.lost,
      duplicates: this.closed.duplicates + s.duplicates,
      reordered: this.closed.reordered + s.reordered,
      lossBursts: this.closed.lossBursts + s.lossBursts,
    };
    this.leg = new ReceiverStats(this.clockRate);
    this.legs++;
  }

  /** Totals over every leg; jitter and sequence state of the current one. */
  snapshot(): ReceiverSnapshot {
    const s = this.leg.snapshot();
    const c = this.closed;
    const expected = c.expected + s.expected;
    const lost = c.lost + s.lost;
    return {
      ...s,
      received: c.received + s.received,
      expected,
      lost,
      lossPercent: expected > 0 ? (100 * lost) / expected : 0,
      duplicates: c.duplicates + s.duplicates,
      reordered: c.reordered + s.reordered,
      lossBursts: c.lossBursts + s.lossBursts,
    };
  }
}
