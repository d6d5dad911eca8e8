/**
 * One audio RTP session of an echo test — RFC 3550: sends 20 ms G.711 frames (§5.1) paced on the
 * injected clock, receives the echo, keeps receiver statistics (receiver-stats.ts), exchanges
 * RTCP SR/RR (§6.4) every RTCP_INTERVAL_MS and derives:
 *  - RTT from the far end's report blocks: A − LSR − DLSR (§6.4.1);
 *  - RTT of echoed packets: when the echo returns our own packets (same SSRC), arrival − send time;
 *  - audio round-trip latency from the test signal's markers (marker-detector.ts);
 *  - the source address RTP really arrives from, compared with what the SDP said (symmetric RTP).
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import { formatEndpoint } from '../../../shared/model/endpoint.ts';
import type { Clock, TimerHandle } from '../clock/clock.ts';
import type { UdpSocket } from '../net/network.ts';
import type { AudioSource } from './audio-source.ts';
import { decodeG711, type G711Law } from './g711.ts';
import { MarkerDetector } from './marker-detector.ts';
import { ReceiverStats } from './receiver-stats.ts';
import { decodeRtcp, encodeRtcpCompound, ntpFromUnixMs, ntpMiddle32, type ReportBlock } from './rtcp.ts';
import { decodeRtp, encodeRtp } from './rtp-packet.ts';
import { FRAME_MS, FRAME_SAMPLES } from './test-signal.ts';

/**
 * RTCP interval: RFC 3550 §6.2 allows a reduced minimum; a test call lasts seconds, so we report
 * every 2 s instead of the nominal 5 s to get RTT samples early.
 */
export const RTCP_INTERVAL_MS = 2000;
const MAX_CATCH_UP_FRAMES = 5;

export interface RtpSessionOptions {
  rtp: UdpSocket;
  rtcp: UdpSocket;
  clock: Clock;
  /** Unix-epoch ms; used only for RTCP NTP timestamps. */
  wallNow?: () => number;
  law: G711Law;
  payloadType: number;
  remoteRtp: Endpoint;
  remoteRtcp: Endpoint;
  source: AudioSource;
  ssrc?: number;
  cname?: string;
  /** The first RTP packet arrived (media is flowing back). */
  onFirstRtp?: (afterMs: number) => void;
  /** Every received audio payload (for playback in the UI). */
  onAudio?: (payload: Uint8Array, payloadType: number, sequence: number) => void;
}

export interface SourceCount {
  endpoint: string;
  packets: number;
}

export interface RtpSessionStats {
  elapsedMs: number;
  sent: number;
  /** Packets sent long enough ago that their echo should be back. */
  sentSettled: number;
  received: number;
  expected: number;
  /** RFC 3550 loss of the returned stream (sequence gaps). */
  streamLossPercent: number;
  /** The echo returns our own packets (same SSRC): stream loss is then out-and-back loss. */
  reflected: boolean;
  /**
   * Loss per direction: the stream loss, or for a reflected echo 1 − √(1 − stream loss), i.e. the
   * round-trip loss split evenly over both legs (both legs are then indistinguishable).
   */
  lossPercent: number;
  roundTripLossPercent: number | null;
  duplicates: number;
  reordered: number;
  lossBursts: number;
  lost: number;
  jitterMs: number | null;
  rttMs: number | null;
  rttSource: 'rtcp' | 'echoed-packets' | 'audio-markers' | null;
  rtcpRttMs: number | null;
  echoRttMs: number | null;
  audioLatencyMs: number | null;
  markersMatched: number;
  remoteReportedLossPercent: number | null;
  remoteReportedJitterMs: number | null;
  rtcpSent: number;
  rtcpReceived: number;
  /** RTCP arrived that was our own (an echo service reflecting RTCP too). */
  rtcpEchoed: number;
  firstRtpAfterMs: number | null;
  expectedRemote: string;
  sources: SourceCount[];
  sourceMismatch: boolean;
  nonRtpPackets: number;
}

export class RtpSession {
  readonly ssrc: number;
  private readonly o: RtpSessionOptions;
  private readonly clock: Clock;
  private readonly wallNow: () => number;
  private readonly stats = new ReceiverStats(8000);
  private readonly markers = new MarkerDetector();
  private readonly sendTimes = new Float64Array(65536).fill(-1);
  private readonly sources = new Map<string, number>();
  private startedAt = 0;
  private frame = 0;
  private seq: number;
  private readonly tsBase: number;
  private sent = 0;
  private sentOctets = 0;
  private timer: TimerHandle | null = null;
  private rtcpTimer: TimerHandle | null = null;
  private stopped = false;
  private readonly unsub: (() => void)[] = [];
  private echoRtts: number[] = [];
  private rtcpRtts: number[] = [];
  private lastSrMiddle: number | null = null;
  private lastSrArrival = 0;
  private remoteSsrc: number | null = null;
  private remoteLoss: number | null = null;
  private remoteJitterTs: number | null = null;
  private rtcpSent = 0;
  private rtcpReceived = 0;
  private rtcpEchoed = 0;
  private firstRtpAt: number | null = null;
  private nonRtp = 0;
  private ownPackets = 0;
  private foreignPackets = 0;
  private readonly sentAt: number[] = []; // send time per packet index, for "settled" counts

  constructor(o: RtpSessionOptions) {
    this.o = o;
    this.clock = o.clock;
    this.wallNow = o.wallNow ?? (() => Date.now());
    this.ssrc = o.ssrc ?? randomU32();
    this.seq = randomU32() & 0x7fff; // RFC 3550 §5.1: random initial values
    this.tsBase = randomU32();
  }

  start(): void {
    this.startedAt = this.clock.now();
    this.unsub.push(this.o.rtp.onMessage((d, from) => this.onRtp(d, from)));
    this.unsub.push(this.o.rtcp.onMessage((d, from) => this.onRtcp(d, from)));
    this.tick();
    this.rtcpTimer = this.clock.setTimeout(() => this.rtcpTick(), RTCP_INTERVAL_MS);
  }

  /** Sends every frame that is due; rescheduling from the start time keeps the long-run rate exact. */
  private tick(): void {
    if (this.stopped) return;
    const now = this.clock.now();
    const due = Math.floor((now - this.startedAt) / FRAME_MS) + 1;
    if (due - this.frame > MAX_CATCH_UP_FRAMES) this.frame = due - MAX_CATCH_UP_FRAMES; // skip after a stall
    while (this.frame < due) this.sendFrame(now);
    const next = this.startedAt + this.frame * FRAME_MS;
    this.timer = this.clock.setTimeout(() => this.tick(), Math.max(0, next - this.clock.now()));
  }

  private sendFrame(now: number): void {
    const n = this.frame++;
    const { payload, burstStart } = this.o.source.frame(n, this.o.law);
    const seq = this.seq++ & 0xffff;
    const packet = encodeRtp({
      payloadType: this.o.payloadType,
      marker: n === 0,
      sequence: seq,
      timestamp: (this.tsBase + n * FRAME_SAMPLES) >>> 0,
      ssrc: this.ssrc,
      payload,
    });
    this.sendTimes[seq] = now;
    if (burstStart !== null) this.markers.noteSent(burstStart, now);
    this.sent++;
    this.sentOctets += payload.length;
    this.sentAt.push(now);
    void this.o.rtp.send(packet, this.o.remoteRtp).catch(() => {});
  }

  private onRtp(data: Uint8Array, from: Endpoint): void {
    const now = this.clock.now();
    const p = decodeRtp(data);
    if (!p) {
      // RFC 5761 rtcp-mux or stray traffic on the RTP port.
      const rtcp = decodeRtcp(data);
      if (rtcp) this.onRtcp(data, from);
      else this.nonRtp++;
      return;
    }
    const key = formatEndpoint(from);
    this.sources.set(key, (this.sources.get(key) ?? 0) + 1);
    if (this.firstRtpAt === null) {
      this.firstRtpAt = now;
      this.o.onFirstRtp?.(now - this.startedAt);
    }
    const r = this.stats.add(p.sequence, p.timestamp, now);
    if (r === 'duplicate') return;
    if (p.ssrc === this.ssrc) this.ownPackets++;
    else this.foreignPackets++;
    if (p.ssrc === this.ssrc) {
      const sentAt = this.sendTimes[p.sequence]!;
      if (sentAt >= 0 && now - sentAt < 10_000) {
        this.echoRtts.push(now - sentAt);
        if (this.echoRtts.length > 3000) this.echoRtts.splice(0, 1000);
      }
    } else if (this.remoteSsrc === null) this.remoteSsrc = p.ssrc;
    if (p.payloadType === 0 || p.payloadType === 8) {
      if (p.payload.length > 0)
        this.markers.addFrame(decodeG711(p.payload, p.payloadType === 0 ? 'pcmu' : 'pcma'), now);
      this.o.onAudio?.(p.payload, p.payloadType, p.sequence);
    }
  }

  private onRtcp(data: Uint8Array, _from: Endpoint): void {
    const packets = decodeRtcp(data);
    if (!packets) {
      this.nonRtp++;
      return;
    }
    const nowWall = this.wallNow();
    const ntp = ntpFromUnixMs(nowWall);
    const arrivalMiddle = ntpMiddle32(ntp.sec, ntp.frac);
    for (const pkt of packets) {
      if ((pkt.type === 'sr' || pkt.type === 'rr') && pkt.ssrc === this.ssrc) {
        this.rtcpEchoed++;
        return; // our own report reflected by the echo service: carries nothing about the path
      }
    }
    this.rtcpReceived++;
    for (const pkt of packets) {
      if (pkt.type !== 'sr' && pkt.type !== 'rr') continue;
      if (pkt.type === 'sr') {
        this.lastSrMiddle = ntpMiddle32(pkt.sender.ntpSec, pkt.sender.ntpFrac);
        this.lastSrArrival = this.clock.now();
        this.remoteSsrc ??= pkt.ssrc;
      }
      for (const b of pkt.reports) {
        if (b.ssrc !== this.ssrc) continue;
        this.remoteLoss =
          this.sent > 0 ? (100 * Math.max(0, b.cumulativeLost)) / Math.max(1, this.sent) : null;
        this.remoteJitterTs = b.jitter;
        if (b.lsr !== 0) {
          // §6.4.1: RTT = A − LSR − DLSR, all in 1/65536 s (mod 2^32).
          const rtt = ((arrivalMiddle - b.lsr - b.dlsr) >>> 0) / 65.536;
          if (rtt >= 0 && rtt < 10_000) this.rtcpRtts.push(rtt);
        }
      }
    }
  }

  private rtcpTick(): void {
    if (this.stopped) return;
    void this.sendRtcp(false);
    this.rtcpTimer = this.clock.setTimeout(() => this.rtcpTick(), RTCP_INTERVAL_MS);
  }

  private async sendRtcp(bye: boolean): Promise<void> {
    const wall = this.wallNow();
    const ntp = ntpFromUnixMs(wall);
    const reports: ReportBlock[] = [];
    // Report on the far end's own stream only (reporting on our echoed SSRC would be nonsense).
    if (this.stats.hasData && this.remoteSsrc !== null) {
      const s = this.stats.snapshot();
      const { fraction, cumulative } = this.stats.takeFractionLost();
      reports.push({
        ssrc: this.remoteSsrc,
        fractionLost: fraction,
        cumulativeLost: cumulative,
        highestSeq: s.extendedHighestSeq,
        jitter: s.jitterTs,
        lsr: this.lastSrMiddle ?? 0,
        dlsr:
          this.lastSrMiddle === null
            ? 0
            : Math.round(((this.clock.now() - this.lastSrArrival) / 1000) * 65536) >>> 0,
      });
    }
    const elapsedTs = Math.round(((this.clock.now() - this.startedAt) / 1000) * 8000);
    const packet = encodeRtcpCompound({
      ssrc: this.ssrc,
      sender: {
        ntpSec: ntp.sec,
        ntpFrac: ntp.frac,
        rtpTimestamp: (this.tsBase + elapsedTs) >>> 0,
        packetCount: this.sent,
        octetCount: this.sentOctets,
      },
      reports,
      cname: this.o.cname ?? `natscope@${this.o.rtp.local.address}`,
      bye,
    });
    this.rtcpSent++;
    await this.o.rtcp.send(packet, this.o.remoteRtcp).catch(() => {});
  }

  /** Stops sending, sends RTCP BYE (§6.6) and unsubscribes; sockets are closed by the owner. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.timer?.cancel();
    this.rtcpTimer?.cancel();
    await this.sendRtcp(true);
  }

  /** Stops listening (after a grace period for the last echoes). */
  detach(): void {
    for (const u of this.unsub) u();
    this.unsub.length = 0;
  }

  snapshot(settleMs = 1000): RtpSessionStats {
    const now = this.clock.now();
    const r = this.stats.snapshot();
    const cutoff = now - settleMs;
    let lo = 0;
    let hi = this.sentAt.length; // sentAt is ascending: count entries ≤ cutoff
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sentAt[mid]! <= cutoff) lo = mid + 1;
      else hi = mid;
    }
    let settled = lo;
    if (this.stopped && now - (this.sentAt.at(-1) ?? 0) >= settleMs) settled = this.sent;
    const rtcpRtt = median(this.rtcpRtts);
    const echoRtt = median(this.echoRtts);
    const audio = this.markers.medianLatencyMs();
    const rttMs = rtcpRtt ?? echoRtt ?? audio;
    const rttSource =
      rtcpRtt !== null
        ? 'rtcp'
        : echoRtt !== null
          ? 'echoed-packets'
          : audio !== null
            ? 'audio-markers'
            : null;
    const expectedRemote = formatEndpoint(this.o.remoteRtp);
    const sources = [...this.sources].map(([endpoint, packets]) => ({ endpoint, packets }));
    return {
      elapsedMs: this.startedAt ? now - this.startedAt : 0,
      sent: this.sent,
      sentSettled: settled,
      received: r.received,
      expected: r.expected,
      streamLossPercent: r.lossPercent,
      reflected: this.ownPackets > this.foreignPackets,
      lossPercent:
        this.ownPackets > this.foreignPackets
          ? 100 * (1 - Math.sqrt(Math.max(0, 1 - r.lossPercent / 100)))
          : r.lossPercent,
      roundTripLossPercent:
        settled > 0 ? Math.max(0, (100 * (settled - Math.min(settled, r.received))) / settled) : null,
      duplicates: r.duplicates,
      reordered: r.reordered,
      lossBursts: r.lossBursts,
      lost: r.lost,
      jitterMs: r.received > 1 ? r.jitterMs : null,
      rttMs,
      rttSource,
      rtcpRttMs: rtcpRtt,
      echoRttMs: echoRtt,
      audioLatencyMs: audio,
      markersMatched: this.markers.count,
      remoteReportedLossPercent: this.remoteLoss,
      remoteReportedJitterMs: this.remoteJitterTs === null ? null : this.remoteJitterTs / 8,
      rtcpSent: this.rtcpSent,
      rtcpReceived: this.rtcpReceived,
      rtcpEchoed: this.rtcpEchoed,
      firstRtpAfterMs: this.firstRtpAt === null ? null : this.firstRtpAt - this.startedAt,
      expectedRemote,
      sources,
      sourceMismatch: sources.length > 0 && sources.some((s) => s.endpoint !== expectedRemote),
      nonRtpPackets: this.nonRtp,
    };
  }
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function randomU32(): number {
  const a = new Uint32Array(1);
  crypto.getRandomValues(a);
  return a[0]!;
}
