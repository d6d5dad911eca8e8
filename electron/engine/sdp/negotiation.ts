/**
 * The offer/answer state of one call — RFC 3264. We offer first (the INVITE); later the far end
 * may offer (re-INVITE, UPDATE: §8) or ask us to offer (a re-INVITE without SDP: our offer goes
 * in the 200, its answer comes in the ACK). Rules kept here:
 *  - an answer lists only formats the offer had, with the offer's payload types (§6.1), and
 *    rejects (port 0) every m= line it cannot take (§6);
 *  - direction is mirrored (§6.1): sendonly ↔ recvonly, inactive stays inactive — so a hold offer
 *    (a=sendonly, or the old c=0.0.0.0, §8.4) is answered recvonly and we stop sending;
 *  - our o= version increments exactly when our description changes (§8), so a session-timer
 *    refresh (RFC 4028) that repeats its offer gets the identical answer back.
 * Pure: no I/O; SdpError for offers or answers we cannot use.
 */
import { buildOffer, parseAnswer, SdpError, type AudioCodec, type Direction, type SdpAnswer } from './sdp.ts';

export interface LocalMedia {
  /** Address and ports advertised for our RTP and RTCP. */
  address: string;
  rtpPort: number;
  rtcpPort: number;
  sessionId: number;
}

/** What the current offer/answer says about the media. */
export interface NegotiatedMedia {
  remoteAddress: string;
  remoteRtpPort: number;
  remoteRtcpAddress: string;
  remoteRtcpPort: number;
  codec: AudioCodec;
  payloadType: number;
  /** Our direction: we send RTP only when it is sendrecv or sendonly. */
  direction: Direction;
}

export const SUPPORTED = 'PCMU (0) and PCMA (8), with telephone-event';

const MIRROR: Record<Direction, Direction> = {
  sendrecv: 'sendrecv',
  sendonly: 'recvonly',
  recvonly: 'sendonly',
  inactive: 'inactive',
};

export function sends(direction: Direction): boolean {
  return direction === 'sendrecv' || direction === 'sendonly';
}

export class MediaNegotiation {
  private readonly local: LocalMedia;
  private version = 0;
  /** Our last description without its o= line: what "changed" is measured against. */
  private lastBody: string | null = null;
  private lastSdp = '';
  current: NegotiatedMedia | null = null;

  constructor(local: LocalMedia) {
    this.local = local;
  }

  /** Our offer (INVITE, or the 200 to an offerless re-INVITE): every format we support, sendrecv. */
  offer(): string {
    return this.describe({});
  }

  /** The answer to our offer: where and how to send from now on. Throws SdpError when unusable. */
  takeAnswer(sdp: string): NegotiatedMedia {
    const a = parseAnswer(sdp);
    if (a.rejected) throw new SdpError('the answer rejected the audio stream (port 0)');
    if (!a.codec || a.payloadType === null) throw new SdpError(`the answer accepted neither PCMU nor PCMA`);
    this.current = media(a, MIRROR[theirDirection(a)]);
    return this.current;
  }

  /**
   * Answers the far end's offer. Throws SdpError (with the reason for a 488 Warning) when no
   * format in it is one we can send.
   */
  answer(sdp: string): { sdp: string; media: NegotiatedMedia } {
    const o = parseAnswer(sdp);
    if (o.rejected) throw new SdpError('the offer disabled the audio stream (port 0)');
    if (!o.codec || o.payloadType === null)
      throw new SdpError(
        `the offer has no format NatScope can send (offered: ${o.formats.join(' ') || 'none'}; NatScope supports ${SUPPORTED})`,
      );
    const formats = o.formats.filter(
      (pt) => pt === o.payloadType || (pt === o.telephoneEventPt && pt !== null),
    );
    const direction = MIRROR[theirDirection(o)];
    const answer = this.describe({ formats, direction, rejectedMedia: o.otherMedia });
    this.current = media(o, direction);
    return { sdp: answer, media: this.current };
  }

  /** Our SDP, with the o= version bumped only when the description differs from the last one. */
  private describe(o: { formats?: number[]; direction?: Direction; rejectedMedia?: string[] }): string {
    const make = (version: number) =>
      buildOffer({
        sessionId: this.local.sessionId,
        version,
        address: this.local.address,
        rtpPort: this.local.rtpPort,
        rtcpPort: this.local.rtcpPort,
        ...o,
      });
    const body = withoutOrigin(make(0));
    if (body === this.lastBody) return this.lastSdp;
    this.version++;
    this.lastBody = body;
    this.lastSdp = make(this.version);
    return this.lastSdp;
  }
}

/** The far end's direction; the old way of holding (RFC 3264 §8.4, RFC 2543), c=0.0.0.0, means "do not send to me". */
function theirDirection(d: SdpAnswer): Direction {
  if (d.address !== '0.0.0.0') return d.direction;
  return d.direction === 'sendrecv' ? 'sendonly' : d.direction === 'recvonly' ? 'inactive' : d.direction;
}

function media(d: SdpAnswer, direction: Direction): NegotiatedMedia {
  return {
    remoteAddress: d.address,
    remoteRtpPort: d.rtpPort,
    remoteRtcpAddress: d.rtcpAddress,
    remoteRtcpPort: d.rtcpPort,
    codec: d.codec!,
    payloadType: d.payloadType!,
    direction,
  };
}

function withoutOrigin(sdp: string): string {
  return sdp.replace(/^o=.*$/m, '');
}
