/**
 * The echo call's media path (RFC 3550 §5.1, symmetric RTP per RFC 4961): RTP from the call's own
 * source address goes straight back to where it came from, with the echo's SSRC (a looped-back SSRC
 * looks like a collision, RFC 3550 §8.2), at most `maxPps` packets a second (burst 2 s).
 *
 * Speed (issue #19): a plain packet (V=2, no padding, no extension, no CSRC: what every phone
 * sends) is echoed in place — the SSRC bytes rewritten in the received datagram, which is sent back
 * as it is, with no decode, no copy and no promise. Other packets are decoded and re-encoded as
 * before (CSRCs, extension and padding dropped).
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import type { Clock } from '../clock/clock.ts';
import { sendAndForget, type UdpSocket } from '../net/network.ts';
import { decodeRtp, encodeRtp, RTP_HEADER_LENGTH } from '../rtp/rtp-packet.ts';
import { getU16, getU32, setU32 } from '../stun/bytes.ts';
import { TokenBucket } from './rate-limiter.ts';

/** What the echo keeps about its media (for RTCP and the no-media timeout). */
export interface EchoMediaState {
  signalling: Endpoint;
  ssrc: number;
  rtpPeer: Endpoint | null;
  lastMediaAt: number;
  theirSsrc: number | null;
  highestSeq: number;
  echoed: number;
  octets: number;
}

export function echoRtp(
  rtp: UdpSocket,
  call: EchoMediaState,
  o: { clock: Clock; maxPps: number; maxRtpBytes: number },
): void {
  const bucket = new TokenBucket(o.maxPps, o.maxPps * 2, o.clock.now());
  rtp.onMessage((data, from) => {
    const n = data.length;
    if (from.address !== call.signalling.address || n > o.maxRtpBytes) return;
    if (n >= RTP_HEADER_LENGTH && data[0] === 0x80) {
      const pt = data[1]! & 0x7f;
      if (pt >= 72 && pt <= 76) return; // RFC 5761 §4: RTCP, not RTP
      const now = o.clock.now();
      if (!bucket.take(now)) return;
      call.rtpPeer = from;
      call.lastMediaAt = now;
      call.theirSsrc = getU32(data, 8);
      call.highestSeq = getU16(data, 2);
      setU32(data, 8, call.ssrc);
      call.echoed++;
      call.octets += n - RTP_HEADER_LENGTH;
      sendAndForget(rtp, data, n, from.port, from.address);
      return;
    }
    const pkt = decodeRtp(data);
    if (!pkt) return;
    const now = o.clock.now();
    if (!bucket.take(now)) return;
    call.rtpPeer = from;
    call.lastMediaAt = now;
    call.theirSsrc = pkt.ssrc;
    call.highestSeq = pkt.sequence;
    const echo = encodeRtp({ ...pkt, ssrc: call.ssrc });
    call.echoed++;
    call.octets += pkt.payload.length;
    sendAndForget(rtp, echo, echo.length, from.port, from.address);
  });
}
