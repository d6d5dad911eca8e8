/**
 * The receiving half of RTCP in an echo call — RFC 3550 §6.4: remembers the far end's last SR
 * (LSR, and when it arrived, for our DLSR), takes RTT samples from report blocks about our stream
 * (A − LSR − DLSR, §6.4.1, noting a DLSR of 0 that rtt-estimate.ts must not trust alone) and the
 * loss and jitter the far end saw; builds the report block we send about its stream.
 */
import type { Clock } from '../clock/clock.ts';
import type { ReceiverStats } from './receiver-stats.ts';
import { decodeRtcp, ntpFromUnixMs, ntpMiddle32, type ReportBlock } from './rtcp.ts';
import type { RtcpRttSample } from './rtt-estimate.ts';

export class RtcpExchange {
  private readonly clock: Clock;
  private readonly wallNow: () => number;
  private readonly ownSsrc: number;
  private lastSrMiddle: number | null = null;
  private lastSrArrival = 0;
  readonly rttSamples: RtcpRttSample[] = [];
  /** The far end's SSRC (from its RTP or its SR). */
  remoteSsrc: number | null = null;
  /** Loss of our stream as the far end reported it (% of what we had sent); jitter in timestamp units. */
  remoteLossPercent: number | null = null;
  remoteJitterTs: number | null = null;
  received = 0;
  /** Our own reports reflected by the echo service: they carry nothing about the path. */
  echoed = 0;

  constructor(o: { clock: Clock; wallNow: () => number; ownSsrc: number }) {
    this.clock = o.clock;
    this.wallNow = o.wallNow;
    this.ownSsrc = o.ownSsrc;
  }

  /** Handles one datagram (`sent`: packets we had sent by then); returns false when it is not RTCP. */
  receive(data: Uint8Array, sent: number): boolean {
    const packets = decodeRtcp(data);
    if (!packets) return false;
    const ntp = ntpFromUnixMs(this.wallNow());
    const arrivalMiddle = ntpMiddle32(ntp.sec, ntp.frac);
    if (packets.some((p) => (p.type === 'sr' || p.type === 'rr') && p.ssrc === this.ownSsrc)) {
      this.echoed++;
      return true;
    }
    this.received++;
    for (const pkt of packets) {
      if (pkt.type !== 'sr' && pkt.type !== 'rr') continue;
      if (pkt.type === 'sr') {
        this.lastSrMiddle = ntpMiddle32(pkt.sender.ntpSec, pkt.sender.ntpFrac);
        this.lastSrArrival = this.clock.now();
        this.remoteSsrc ??= pkt.ssrc;
      }
      for (const b of pkt.reports) {
        if (b.ssrc !== this.ownSsrc) continue;
        this.remoteLossPercent = sent > 0 ? (100 * Math.max(0, b.cumulativeLost)) / sent : null;
        this.remoteJitterTs = b.jitter;
        if (b.lsr === 0) continue; // no SR of ours received yet
        // §6.4.1: RTT = A − LSR − DLSR, all in 1/65536 s (mod 2^32).
        const rtt = ((arrivalMiddle - b.lsr - b.dlsr) >>> 0) / 65.536;
        if (rtt >= 0 && rtt < 10_000) this.rttSamples.push({ rttMs: rtt, dlsrZero: b.dlsr === 0 });
      }
    }
    return true;
  }

  /** The report block about the far end's stream (none before it sent anything of its own). */
  reportBlock(stats: ReceiverStats): ReportBlock | null {
    if (!stats.hasData || this.remoteSsrc === null) return null;
    const s = stats.snapshot();
    const { fraction, cumulative } = stats.takeFractionLost();
    return {
      ssrc: this.remoteSsrc,
      fractionLost: fraction,
      cumulativeLost: cumulative,
      highestSeq: s.extendedHighestSeq,
      jitter: s.jitterTs,
      lsr: this.lastSrMiddle ?? 0,
      // DLSR: how long we held their SR, so their A − LSR − DLSR is the network round trip.
      dlsr:
        this.lastSrMiddle === null
          ? 0
          : Math.round(((this.clock.now() - this.lastSrArrival) / 1000) * 65536) >>> 0,
    };
  }

  /** The media moved to another far end: forget the old one's SSRC and SR. */
  newRemote(): void {
    this.remoteSsrc = null;
    this.lastSrMiddle = null;
  }
}
