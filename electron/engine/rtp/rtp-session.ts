/**
 * One audio RTP session of an echo test — RFC 3550: sends 20 ms G.711 frames (§5.1) paced on the
 * injected clock, receives the echo, keeps receiver statistics (receiver-stats.ts), exchanges
 * RTCP SR/RR (§6.4) every RTCP_INTERVAL_MS and derives:
 *  - RTT from the far end's report blocks: A − LSR − DLSR (§6.4.1);
 *  - RTT of echoed packets: when the echo returns our own packets (same sequence number and
 *    timestamp, whatever SSRC it puts on them), arrival − send time;
 *  - audio round-trip latency from the test signal's markers (marker-detector.ts);
 *  - the source address RTP really arrives from, compared with what the SDP said (symmetric RTP).
 * The RTT to believe is chosen by rtt-estimate.ts. A mid-call offer/answer can move the media
 * (`retarget`, new receiver leg: receive-legs.ts) or hold it (`setSending(false)`, RFC 3264 §8.4).
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import { formatEndpoint } from '../../../shared/model/endpoint.ts';
import type { Clock, TimerHandle } from '../clock/clock.ts';
import type { UdpSocket } from '../net/network.ts';
import type { AudioSource } from './audio-source.ts';
import { decodeG711, type G711Law } from './g711.ts';
import { MarkerDetector } from './marker-detector.ts';
import { ReceiveLegs } from './receive-legs.ts';
import { encodeRtcpCompound, ntpFromUnixMs } from './rtcp.ts';
import { RtcpExchange } from './rtcp-exchange.ts';
import { decodeRtp, encodeRtp } from './rtp-packet.ts';
import { estimateRtt, median, type RttAgreement, type RttSource } from './rtt-estimate.ts';
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
  /** A deliberate delay the echo service adds (delayed echo), for the RTT cross-check. */
  expectedEchoDelayMs?: number;
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
  /** Network RTT (rtt-estimate.ts); null when no source can separate it from the echo's delay. */
  rttMs: number | null;
  rttSource: RttSource | null;
  rttAgreement: RttAgreement;
  rttNote: string | null;
  rtcpRttMs: number | null;
  echoRttMs: number | null;
  audioLatencyMs: number | null;
  /** Audio latency minus network RTT: how long the echo service held the audio. */
  echoDelayMs: number | null;
  expectedEchoDelayMs: number;
  /** Time spent sending, and held (told not to send), ms. */
  sendingMs: number;
  heldMs: number;
  markersMatched: number;
  remoteReportedLossPercent: number | null;
  remoteReportedJitterMs: number | null;
  rtcpSent: number;
  rtcpReceived: number;
  /** RTCP arrived that was our own (an echo service reflecting RTCP too). */
  rtcpEchoed: number;
  firstRtpAfterMs: number | null;
  /** Where RTP goes now (the latest SDP), and every address an SDP named during the call. */
  expectedRemote: string;
  expectedRemotes: string[];
  sources: SourceCount[];
  sourceMismatch: boolean;
  nonRtpPackets: number;
}

export class RtpSession {
  readonly ssrc: number;
  private readonly o: RtpSessionOptions;
  private readonly clock: Clock;
  private readonly wallNow: () => number;
  private readonly stats = new ReceiveLegs(8000);
  private readonly markers = new MarkerDetector();
  private readonly sendTimes = new Float64Array(65536).fill(-1);
  /** RTP timestamp of the packet last sent with each sequence number (echo matching). */
  private readonly sendTs = new Float64Array(65536).fill(-1);
  private remoteRtp: Endpoint;
  private remoteRtcp: Endpoint;
  private law: G711Law;
  private payloadType: number;
  private readonly expectedRemotes = new Set<string>();
  private sending = true;
  private heldSince: number | null = null;
  private heldMs = 0;
  private readonly sources = new Map<string, number>();
  private startedAt = 0;
  private started = false;
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
  private readonly rtcpx: RtcpExchange;
  private rtcpSent = 0;
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
    this.remoteRtp = o.remoteRtp;
    this.remoteRtcp = o.remoteRtcp;
    this.law = o.law;
    this.payloadType = o.payloadType;
    this.expectedRemotes.add(formatEndpoint(o.remoteRtp));
    this.rtcpx = new RtcpExchange({ clock: this.clock, wallNow: this.wallNow, ownSsrc: this.ssrc });
  }

  /**
   * A new answer moved the media (RFC 3264 §8.3.1): send there from now on, with its format. The
   * far end is a new RTP source: its stream starts a new receiver leg and its RTCP a new LSR.
   */
  retarget(o: { remoteRtp: Endpoint; remoteRtcp: Endpoint; payloadType: number; law: G711Law }): void {
    const moved =
      formatEndpoint(o.remoteRtp) !== formatEndpoint(this.remoteRtp) || o.payloadType !== this.payloadType;
    this.remoteRtp = o.remoteRtp;
    this.remoteRtcp = o.remoteRtcp;
    this.payloadType = o.payloadType;
    this.law = o.law;
    this.expectedRemotes.add(formatEndpoint(o.remoteRtp));
    if (!moved) return;
    this.stats.newLeg();
    this.rtcpx.newRemote();
  }

  /** Hold (RFC 3264 §8.4): with `false` no RTP goes out (RTCP still does) until `true` again. */
  setSending(on: boolean): void {
    if (on === this.sending) return;
    const now = this.clock.now();
    this.sending = on;
    if (!on) this.heldSince = now;
    else if (this.heldSince !== null) {
      this.heldMs += now - this.heldSince;
      this.heldSince = null;
    }
  }

  get isSending(): boolean {
    return this.sending;
  }

  start(): void {
    this.startedAt = this.clock.now();
    this.started = true;
    this.unsub.push(this.o.rtp.onMessage((d, from) => this.onRtp(d, from)));
    this.unsub.push(this.o.rtcp.onMessage((d) => void (this.rtcpx.receive(d, this.sent) || this.nonRtp++)));
    this.tick();
    this.rtcpTimer = this.clock.setTimeout(() => this.rtcpTick(), RTCP_INTERVAL_MS);
  }

  /** Sends every frame that is due; rescheduling from the start time keeps the long-run rate exact. */
  private tick(): void {
    if (this.stopped) return;
    const now = this.clock.now();
    const due = Math.floor((now - this.startedAt) / FRAME_MS) + 1;
    if (due - this.frame > MAX_CATCH_UP_FRAMES) this.frame = due - MAX_CATCH_UP_FRAMES; // skip after a stall
    while (this.frame < due) {
      if (this.sending) this.sendFrame(now);
      else this.frame++; // held: time (and the RTP timestamp) moves on, nothing is sent
    }
    const next = this.startedAt + this.frame * FRAME_MS;
    this.timer = this.clock.setTimeout(() => this.tick(), Math.max(0, next - this.clock.now()));
  }

  private sendFrame(now: number): void {
    const n = this.frame++;
    const { payload, burstStart } = this.o.source.frame(n, this.law);
    const seq = this.seq++ & 0xffff;
    const timestamp = (this.tsBase + n * FRAME_SAMPLES) >>> 0;
    const packet = encodeRtp({
      payloadType: this.payloadType,
      marker: n === 0 || this.sent === 0,
      sequence: seq,
      timestamp,
      ssrc: this.ssrc,
      payload,
    });
    this.sendTimes[seq] = now;
    this.sendTs[seq] = timestamp;
    if (burstStart !== null) this.markers.noteSent(burstStart, now);
    this.sent++;
    this.sentOctets += payload.length;
    this.sentAt.push(now);
    void this.o.rtp.send(packet, this.remoteRtp).catch(() => {});
  }

  private onRtp(data: Uint8Array, from: Endpoint): void {
    const now = this.clock.now();
    const p = decodeRtp(data);
    if (!p) {
      // RFC 5761 rtcp-mux or stray traffic on the RTP port.
      if (!this.rtcpx.receive(data, this.sent)) this.nonRtp++;
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
    // Our own packet reflected: our SSRC, or our sequence number with our timestamp (an echo that
    // rewrites the SSRC, as RFC 3550 §8.2 suggests, but keeps the rest).
    const own = p.ssrc === this.ssrc || this.sendTs[p.sequence] === p.timestamp;
    if (own) {
      this.ownPackets++;
      const sentAt = this.sendTimes[p.sequence]!;
      if (sentAt >= 0 && now - sentAt < 10_000) {
        this.echoRtts.push(now - sentAt);
        if (this.echoRtts.length > 3000) this.echoRtts.splice(0, 1000);
      }
    } else this.foreignPackets++;
    if (p.ssrc !== this.ssrc) this.rtcpx.remoteSsrc ??= p.ssrc;
    if (p.payloadType === 0 || p.payloadType === 8) {
      if (p.payload.length > 0)
        this.markers.addFrame(decodeG711(p.payload, p.payloadType === 0 ? 'pcmu' : 'pcma'), now);
      this.o.onAudio?.(p.payload, p.payloadType, p.sequence);
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
    const block = this.rtcpx.reportBlock(this.stats.current);
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
      reports: block ? [block] : [],
      cname: this.o.cname ?? `natscope@${this.o.rtp.local.address}`,
      bye,
    });
    this.rtcpSent++;
    await this.o.rtcp.send(packet, this.remoteRtcp).catch(() => {});
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
    const echoRtt = median(this.echoRtts);
    const audio = this.markers.medianLatencyMs();
    const expectedEchoDelayMs = this.o.expectedEchoDelayMs ?? 0;
    const rtt = estimateRtt({
      rtcp: this.rtcpx.rttSamples,
      echoedPacketsMs: echoRtt,
      audioMarkersMs: audio,
      expectedEchoDelayMs,
    });
    const expectedRemote = formatEndpoint(this.remoteRtp);
    const sources = [...this.sources].map(([endpoint, packets]) => ({ endpoint, packets }));
    const elapsedMs = this.started ? now - this.startedAt : 0;
    const heldMs = this.heldMs + (this.heldSince !== null ? now - this.heldSince : 0);
    return {
      elapsedMs,
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
      rttMs: rtt.rttMs,
      rttSource: rtt.source,
      rttAgreement: rtt.agreement,
      rttNote: rtt.note,
      rtcpRttMs: rtt.rtcpMs,
      echoRttMs: echoRtt,
      audioLatencyMs: audio,
      echoDelayMs: rtt.echoDelayMs,
      expectedEchoDelayMs,
      sendingMs: elapsedMs - heldMs,
      heldMs,
      markersMatched: this.markers.count,
      remoteReportedLossPercent: this.rtcpx.remoteLossPercent,
      remoteReportedJitterMs: this.rtcpx.remoteJitterTs === null ? null : this.rtcpx.remoteJitterTs / 8,
      rtcpSent: this.rtcpSent,
      rtcpReceived: this.rtcpx.received,
      rtcpEchoed: this.rtcpx.echoed,
      firstRtpAfterMs: this.firstRtpAt === null ? null : this.firstRtpAt - this.startedAt,
      expectedRemote,
      expectedRemotes: [...this.expectedRemotes],
      sources,
      sourceMismatch: sources.length > 0 && sources.some((s) => !this.expectedRemotes.has(s.endpoint)),
      nonRtpPackets: this.nonRtp,
    };
  }
}

function randomU32(): number {
  const a = new Uint32Array(1);
  crypto.getRandomValues(a);
  return a[0]!;
}
