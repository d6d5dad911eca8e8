/**
 * Set-up, part 2: our side of the offer/answer exchange (RFC 3264). The offer in the INVITE
 * advertises the media path (§5); an answer is usable when it accepts PCMU or PCMA on a live stream
 * (§6: port 0 rejects it). A later offer from the far end (re-INVITE, UPDATE) is answered by the media
 * unit through `reoffer()`: the same media, the o= version one up (§8).
 */
import { buildOffer, parseAnswer, SdpError, type SdpAnswer } from '../../engine/sdp/sdp.ts';
import type { MediaPath } from './media-path.ts';

export class LocalSessionDescription {
  private readonly sessionId = Math.floor(Date.now() / 1000);
  private version = 1;
  private readonly path: MediaPath;

  constructor(path: MediaPath) {
    this.path = path;
  }

  private build(): string {
    return buildOffer({
      sessionId: this.sessionId,
      version: this.version,
      address: this.path.advertisedRtp.address,
      rtpPort: this.path.advertisedRtp.port,
      rtcpPort: this.path.advertisedRtcpPort,
    });
  }

  /** The offer for the INVITE (version 1). */
  offer(): string {
    return this.build();
  }

  /** Our media again with the next o= version. */
  reoffer(): string {
    this.version++;
    return this.build();
  }
}

/** Parses the answer and checks that media can flow; throws SdpError with the reason if not. */
export function acceptAnswer(text: string): SdpAnswer & { codec: 'pcmu' | 'pcma'; payloadType: number } {
  const answer = parseAnswer(text);
  if (!answer.codec || answer.payloadType === null)
    throw new SdpError('the answer accepted neither PCMU nor PCMA');
  if (answer.rejected) throw new SdpError('the answer rejected the audio stream (port 0)');
  return answer as SdpAnswer & { codec: 'pcmu' | 'pcma'; payloadType: number };
}
