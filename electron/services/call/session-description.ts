/**
 * Set-up, part 2: our side of the offer/answer exchange (RFC 3264), kept by the engine's
 * MediaNegotiation (engine/sdp/negotiation.ts): the offer in the INVITE advertises the media path
 * (§5); the answer — in the 2xx, or early in a 18x — must accept PCMU or PCMA on a live stream
 * (§6); later offers from the far end (re-INVITE, UPDATE, §8) are answered by the media unit.
 */
import { MediaNegotiation } from '../../engine/sdp/negotiation.ts';
import type { MediaPath } from './media-path.ts';

/** The negotiation for a call over `path`, advertising what the path advertises. */
export function negotiationFor(path: MediaPath): MediaNegotiation {
  return new MediaNegotiation({
    address: path.advertisedRtp.address,
    rtpPort: path.advertisedRtp.port,
    rtcpPort: path.advertisedRtcpPort,
    sessionId: Math.floor(Date.now() / 1000),
  });
}
