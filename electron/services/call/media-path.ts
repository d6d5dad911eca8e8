/**
 * The media unit's view of the network: where RTP and RTCP go out and come back in, and what the
 * SDP advertises for them. The direct path is an RTP/RTCP socket pair on this machine (RFC 3550
 * §11: even/odd ports); a relayed path (TURN ChannelData, RFC 8656 §12) or a WebRTC transport
 * implements the same two `UdpSocket`s, so the media, live-stats and analysis units serve them all.
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import type { Network, UdpSocket } from '../../engine/net/network.ts';
import { bindRtpPair, type PortRange } from '../../engine/rtp/port-pair.ts';

export interface MediaPath {
  /** Carries RTP: `send` to the far end, `onMessage` for what comes back. */
  readonly rtp: UdpSocket;
  /** Carries RTCP (RFC 3550 §6). */
  readonly rtcp: UdpSocket;
  /** Our RTP address as bound (reported as `media.localRtp`). */
  readonly localRtp: Endpoint;
  /** What the SDP offers: the local pair, or what a STUN server or relay says it maps to. */
  advertisedRtp: Endpoint;
  advertisedRtcpPort: number;
  /**
   * Called once the far end's RTP/RTCP addresses are known, before media starts: a relayed path
   * installs its permissions and channels here (RFC 8656 §9, §12) so the first packets either way pass.
   */
  connect?(remoteRtp: Endpoint, remoteRtcp: Endpoint): Promise<void>;
  close(): Promise<void>;
}

/** An RTP/RTCP socket pair bound on `address` in `range`, advertised as bound until told otherwise. */
export async function openDirectPath(
  network: Network,
  o: { address: string; range: PortRange },
): Promise<MediaPath> {
  const { rtp, rtcp } = await bindRtpPair(network, o);
  return {
    rtp,
    rtcp,
    localRtp: rtp.local,
    advertisedRtp: rtp.local,
    advertisedRtcpPort: rtcp.local.port,
    async close() {
      await Promise.allSettled([rtp.close(), rtcp.close()]);
    },
  };
}
