/**
 * The media unit of a call: one RTP session (engine/rtp/rtp-session.ts, RFC 3550) over a MediaPath
 * towards the address the SDP answer gave, run for the test's duration or until the far end hangs up
 * or the user cancels, then a grace period for the last echoes. It knows nothing of SIP: the service
 * wires the dialog's BYE to `hangup` and the dialog's offers to `answerOffer`.
 */
import { type Endpoint, formatEndpoint } from '../../../shared/model/endpoint.ts';
import { sleep, type Clock } from '../../engine/clock/clock.ts';
import type { Network } from '../../engine/net/network.ts';
import type { AudioSource } from '../../engine/rtp/audio-source.ts';
import { RtpSession, type RtpSessionStats } from '../../engine/rtp/rtp-session.ts';
import type { SdpAnswer } from '../../engine/sdp/sdp.ts';
import type { DialogMedia } from '../../engine/sip/user-agent.ts';
import type { MediaPath } from './media-path.ts';
import type { LocalSessionDescription } from './session-description.ts';

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
}

export class CallMedia implements DialogMedia {
  readonly codec: 'pcmu' | 'pcma';
  readonly remoteRtp: Endpoint;
  private readonly session: RtpSession;
  private readonly clock: Clock;
  private readonly local: LocalSessionDescription;

  private constructor(o: {
    session: RtpSession;
    codec: 'pcmu' | 'pcma';
    remoteRtp: Endpoint;
    clock: Clock;
    local: LocalSessionDescription;
  }) {
    this.session = o.session;
    this.codec = o.codec;
    this.remoteRtp = o.remoteRtp;
    this.clock = o.clock;
    this.local = o.local;
  }

  /** Resolves the answer's media addresses and prepares (does not start) the RTP session. */
  static async open(o: {
    path: MediaPath;
    answer: SdpAnswer & { codec: 'pcmu' | 'pcma'; payloadType: number };
    local: LocalSessionDescription;
    network: Network;
    clock: Clock;
    source: AudioSource;
    onFirstRtp: (afterMs: number) => void;
    onAudio?: (payload: Uint8Array, payloadType: number, sequence: number) => void;
  }): Promise<CallMedia> {
    const { answer, network } = o;
    const remoteAddress = await resolveMediaAddress(answer.address, network);
    const remoteRtp = { address: remoteAddress, port: answer.rtpPort };
    const remoteRtcp = {
      address:
        answer.rtcpAddress === answer.address
          ? remoteAddress
          : await resolveMediaAddress(answer.rtcpAddress, network),
      port: answer.rtcpPort,
    };
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
      onFirstRtp: o.onFirstRtp,
      onAudio: o.onAudio,
    });
    return new CallMedia({ session, codec: answer.codec, remoteRtp, clock: o.clock, local: o.local });
  }

  /**
   * An offer in a re-INVITE / UPDATE (RFC 3264 §8): answered with our same media, one version up.
   * The offer's address and direction are not acted on yet (issue #12 moves the session here).
   */
  answerOffer(_offer: string): string {
    return this.local.reoffer();
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
    };
  }
}

async function resolveMediaAddress(address: string, network: Network): Promise<string> {
  if (/^[\d.]+$/.test(address) || address.includes(':')) return address;
  return (await network.resolve(address, 4).catch(() => [] as string[]))[0] ?? address;
}
