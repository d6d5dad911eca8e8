/**
 * The media unit of a call: one RTP session (engine/rtp/rtp-session.ts, RFC 3550) over a MediaPath
 * towards where the offer/answer (engine/sdp/negotiation.ts, RFC 3264) says, run for the test's
 * duration or until the far end hangs up or the user cancels, then a grace period for the last
 * echoes. It is the dialog's media handler: a re-INVITE or UPDATE that moves the media, changes the
 * format or holds the call (§8.4) retargets the session, and the change is recorded. It knows
 * nothing of SIP: the service wires the dialog's BYE to `hangup`.
 */
import type { MediaChange } from '../../../shared/contracts/call.ts';
import { type Endpoint, formatEndpoint } from '../../../shared/model/endpoint.ts';
import { sleep, type Clock } from '../../engine/clock/clock.ts';
import type { Network } from '../../engine/net/network.ts';
import type { AudioSource } from '../../engine/rtp/audio-source.ts';
import { RtpSession, type RtpSessionStats } from '../../engine/rtp/rtp-session.ts';
import { sends, type MediaNegotiation, type NegotiatedMedia } from '../../engine/sdp/negotiation.ts';
import type { DialogMedia } from '../../engine/sip/user-agent.ts';
import type { MediaPath } from './media-path.ts';

const STATS_INTERVAL_MS = 1000;
/** After the last packet, wait this long for its echo. */
export const SETTLE_MS = 1000;

export interface MediaOutcome {
  stats: RtpSessionStats;
  codec: 'pcmu' | 'pcma';
  remoteSdpRtp: string;
  durationSec: number;
  /** clock time media started (for "the far end hung up after N s"). */
  startedAt: number;
  changes: MediaChange[];
}

export class CallMedia implements DialogMedia {
  private current: NegotiatedMedia;
  private remoteRtp: Endpoint;
  private readonly session: RtpSession;
  private readonly clock: Clock;
  private readonly network: Network;
  private readonly negotiation: MediaNegotiation;
  private readonly path: MediaPath;
  private startedAt: number | null = null;
  readonly changes: MediaChange[] = [];

  private constructor(o: {
    session: RtpSession;
    current: NegotiatedMedia;
    remoteRtp: Endpoint;
    clock: Clock;
    network: Network;
    negotiation: MediaNegotiation;
    path: MediaPath;
  }) {
    this.session = o.session;
    this.current = o.current;
    this.remoteRtp = o.remoteRtp;
    this.clock = o.clock;
    this.network = o.network;
    this.negotiation = o.negotiation;
    this.path = o.path;
  }

  get codec(): 'pcmu' | 'pcma' {
    return this.current.codec;
  }

  /** Resolves the answer's media addresses and prepares (does not start) the RTP session. */
  static async open(o: {
    path: MediaPath;
    negotiation: MediaNegotiation;
    /** What the answer to our INVITE's offer said. */
    answer: NegotiatedMedia;
    network: Network;
    clock: Clock;
    source: AudioSource;
    expectedEchoDelayMs: number;
    onFirstRtp: (afterMs: number) => void;
    onAudio?: (payload: Uint8Array, payloadType: number, sequence: number) => void;
  }): Promise<CallMedia> {
    const { answer, network } = o;
    const { rtp: remoteRtp, rtcp: remoteRtcp } = await remotes(answer, network);
    await o.path.connect?.(remoteRtp, remoteRtcp);
    const session = new RtpSession({
      rtp: o.path.rtp,
      rtcp: o.path.rtcp,
      clock: o.clock,
      law: answer.codec,
      payloadType: answer.payloadType,
      remoteRtp,
      remoteRtcp,
      source: o.source,
      expectedEchoDelayMs: o.expectedEchoDelayMs,
      onFirstRtp: o.onFirstRtp,
      onAudio: o.onAudio,
    });
    session.setSending(sends(answer.direction));
    return new CallMedia({
      session,
      current: answer,
      remoteRtp,
      clock: o.clock,
      network,
      negotiation: o.negotiation,
      path: o.path,
    });
  }

  /** An offer in a re-INVITE / UPDATE (RFC 3264 §8): our answer; the media follows it. */
  answerOffer(offer: string, method: 'INVITE' | 'UPDATE'): string {
    const { sdp, media } = this.negotiation.answer(offer);
    this.follow(media, method === 'UPDATE' ? 'update' : 're-invite');
    return sdp;
  }

  /** A re-INVITE without SDP: our offer for its 200 (its answer comes in the ACK). */
  offer(): string {
    return this.negotiation.offer();
  }

  takeAnswer(answer: string): void {
    this.follow(this.negotiation.takeAnswer(answer), 'ack');
  }

  /** Points the session at what the latest offer/answer says; records it when something changed. */
  private follow(next: NegotiatedMedia, by: MediaChange['by']): void {
    const before = this.current;
    this.current = next;
    const same =
      before.remoteAddress === next.remoteAddress &&
      before.remoteRtpPort === next.remoteRtpPort &&
      before.payloadType === next.payloadType &&
      before.direction === next.direction;
    if (same) return; // a session refresh (RFC 4028) or an unchanged offer
    this.session.setSending(sends(next.direction));
    this.changes.push({
      atSec: this.startedAt === null ? 0 : Math.round((this.clock.now() - this.startedAt) / 100) / 10,
      by,
      remoteRtp: formatEndpoint({ address: next.remoteAddress, port: next.remoteRtpPort }),
      direction: next.direction,
      codec: next.codec,
    });
    void remotes(next, this.network).then(async ({ rtp, rtcp }) => {
      if (this.current !== next) return; // overtaken by a later change
      await this.path.connect?.(rtp, rtcp).catch(() => {}); // a relay must permit the new peer first
      this.remoteRtp = rtp;
      this.session.retarget({
        remoteRtp: rtp,
        remoteRtcp: rtcp,
        payloadType: next.payloadType,
        law: next.codec,
      });
    });
  }

  /** Sends and measures until `durationSec` passed, `hangup` (far end ended) or `signal` (user). */
  async run(o: {
    durationSec: number;
    signal: AbortSignal;
    hangup: AbortSignal;
    onTick: (snapshot: RtpSessionStats, mediaSec: number) => void;
  }): Promise<MediaOutcome> {
    const { clock, session } = this;
    const ended = new AbortController();
    const stop = () => ended.abort();
    if (o.hangup.aborted) stop();
    o.hangup.addEventListener('abort', stop, { once: true });
    o.signal.addEventListener('abort', stop, { once: true });
    const startedAt = clock.now();
    this.startedAt = startedAt;
    session.start();
    const end = startedAt + o.durationSec * 1000;
    while (!ended.signal.aborted && clock.now() < end) {
      await sleep(clock, Math.min(STATS_INTERVAL_MS, end - clock.now()), ended.signal).catch(() => {});
      if (!ended.signal.aborted) o.onTick(session.snapshot(SETTLE_MS), (clock.now() - startedAt) / 1000);
    }
    o.signal.removeEventListener('abort', stop);
    await session.stop();
    const durationSec = (clock.now() - startedAt) / 1000;
    // Let the last echoes arrive, unless the user is waiting on a cancel.
    if (!o.signal.aborted && !o.hangup.aborted) await sleep(clock, SETTLE_MS).catch(() => {});
    session.detach();
    return {
      stats: session.snapshot(0),
      codec: this.codec,
      remoteSdpRtp: formatEndpoint(this.remoteRtp),
      durationSec,
      startedAt,
      changes: this.changes,
    };
  }
}

async function remotes(m: NegotiatedMedia, network: Network): Promise<{ rtp: Endpoint; rtcp: Endpoint }> {
  const address = await resolveMediaAddress(m.remoteAddress, network);
  const rtcpAddress =
    m.remoteRtcpAddress === m.remoteAddress
      ? address
      : await resolveMediaAddress(m.remoteRtcpAddress, network);
  return { rtp: { address, port: m.remoteRtpPort }, rtcp: { address: rtcpAddress, port: m.remoteRtcpPort } };
}

async function resolveMediaAddress(address: string, network: Network): Promise<string> {
  if (/^[\d.]+$/.test(address) || address.includes(':')) return address;
  return (await network.resolve(address, 4).catch(() => [] as string[]))[0] ?? address;
}
