/**
 * Explains what went wrong in an echo test, from what was observed on the wire. Each rule names
 * the NAT mechanism behind the symptom (RFC 3581 rport / Via received, RFC 4961 symmetric RTP,
 * RFC 3261 §13.3.1.4 2xx retransmission until ACK) and what to try.
 */
import type { Finding } from '../../../shared/contracts/call.ts';
import { classifyAddress } from '../../../shared/model/address-class.ts';
import type { RtpSessionStats } from '../rtp/rtp-session.ts';

export interface CallObservations {
  advertise: 'local' | 'stun';
  localSip: string;
  localAddress: string;
  contactAddress: string;
  /** What the server saw (Via received/rport), if it said. */
  viaReceived: { address: string; port: number | null } | null;
  sdpAdvertisedAddress: string | null;
  okRetransmissions: number;
  answered: boolean;
  remoteByeEarly: { afterSec: number } | null;
  media: RtpSessionStats | null;
  /** Seconds media ran (for the one-way-audio rule). */
  mediaSec: number;
  /** The address we exchange SIP with (to recognise RTP from another address of the same host). */
  signallingPeer?: string | null;
}

/** Media must run this long with nothing back before we call it one-way audio. */
export const ONE_WAY_AUDIO_AFTER_SEC = 3;
/** After a deliberate echo delay, this much more before nothing back means one-way audio. */
export const ECHO_DELAY_MARGIN_SEC = 2;

/** Seconds of sending with nothing back after which the audio is one-way, for this echo. */
export function oneWayAfterSec(m: Pick<RtpSessionStats, 'expectedEchoDelayMs'>): number {
  return Math.max(ONE_WAY_AUDIO_AFTER_SEC, m.expectedEchoDelayMs / 1000 + ECHO_DELAY_MARGIN_SEC);
}

/**
 * Nothing came back although we sent long enough for an echo to return: longer than the echo's
 * deliberate delay plus a margin, counting only the time we were sending (not held).
 */
export function isOneWayAudio(m: RtpSessionStats | null, mediaSec: number): boolean {
  if (m === null || m.sent === 0 || m.received > 0) return false;
  return Math.min(mediaSec, m.sendingMs / 1000) >= oneWayAfterSec(m);
}

/** The test ended before any echo of a deliberately delayed echo could come back. */
export function isShorterThanEchoDelay(m: RtpSessionStats | null, mediaSec: number): boolean {
  return (
    m !== null &&
    m.expectedEchoDelayMs > 0 &&
    m.markersMatched === 0 &&
    Math.min(mediaSec, m.sendingMs / 1000) < oneWayAfterSec(m)
  );
}

// A host name (RFC 7118's "….invalid" Contact over WebSocket) is no private address.
const isPrivate = (a: string) =>
  /^[\d.]+$|:/.test(a) && ['private', 'cgnat', 'link-local', 'ula'].includes(classifyAddress(a));

export function callFindings(o: CallObservations): Finding[] {
  const out: Finding[] = [];
  const natSeen = o.viaReceived !== null && o.viaReceived.address !== o.localAddress;
  if (o.viaReceived && natSeen) {
    out.push({
      code: 'nat-detected-signaling',
      severity: 'info',
      message: `The server saw our SIP from ${o.viaReceived.address}${o.viaReceived.port ? `:${o.viaReceived.port}` : ''} (Via received/rport), but we sent from ${o.localSip}: a NAT is in the path.`,
    });
    if (isPrivate(o.contactAddress)) {
      out.push({
        code: 'private-contact',
        severity: 'warning',
        message: `Our Contact advertises the private address ${o.contactAddress}. The server can answer us (rport) but cannot send new requests (re-INVITE, BYE, incoming calls) there unless it applies NAT handling.`,
      });
    }
    if (o.sdpAdvertisedAddress && isPrivate(o.sdpAdvertisedAddress)) {
      out.push({
        code: 'private-address-in-sdp',
        severity: 'warning',
        message: `The SDP told the far end to send audio to the private address ${o.sdpAdvertisedAddress}, which is not reachable from the internet. It works only if the far end uses symmetric RTP (sends to where our RTP comes from); otherwise try "advertise the STUN-mapped address".`,
      });
    }
  }
  if (o.okRetransmissions > 0) {
    out.push({
      code: 'ack-not-received',
      severity: 'warning',
      message: `The server re-sent its 200 OK ${o.okRetransmissions} time(s) after we had ACKed: our ACK did not reach it (often the Contact / Record-Route points at an unreachable address). Servers hang up such calls after about 32 s — the classic "call drops at 30 seconds".`,
    });
  }
  if (o.remoteByeEarly) {
    out.push({
      code: 'call-dropped',
      severity: 'error',
      message: `The far end hung up after ${o.remoteByeEarly.afterSec.toFixed(1)} s${o.okRetransmissions > 0 ? ', consistent with the missing ACK above' : ''}.`,
    });
  }
  const m = o.media;
  if (m) {
    if (isOneWayAudio(m, o.mediaSec)) {
      const why =
        m.rtcpReceived > 0
          ? 'RTCP from the far end does arrive, so packets can reach us: our RTP is probably not reaching the echo service (outbound filtering, or it sends somewhere else).'
          : o.advertise === 'local' && o.sdpAdvertisedAddress && isPrivate(o.sdpAdvertisedAddress) && natSeen
            ? `Nothing at all came back. We advertised the private address ${o.sdpAdvertisedAddress} behind a NAT, so the echo is sent where it cannot arrive (unless the far end does symmetric RTP). Try advertising the STUN-mapped address.`
            : 'Nothing at all came back (no RTP, no RTCP): either our RTP does not reach the echo service, or its answer is dropped on the way in — a NAT without a matching mapping (symmetric NAT with a STUN-advertised port, strict filtering) or a firewall.';
      out.push({
        code: 'one-way-audio',
        severity: 'error',
        message: `One-way audio: we sent ${m.sent} RTP packets to ${m.expectedRemote} and none came back within ${o.mediaSec.toFixed(0)} s. ${why}`,
      });
    }
    if (isShorterThanEchoDelay(m, o.mediaSec)) {
      out.push({
        code: 'test-shorter-than-echo-delay',
        severity: 'warning',
        message: `The test (${o.mediaSec.toFixed(0)} s of audio) was shorter than the echo delay (${(m.expectedEchoDelayMs / 1000).toFixed(1)} s): none of our test signal could come back yet, so the audio path back is not tested. Run it for at least ${Math.ceil(oneWayAfterSec(m))} s.`,
      });
    }
    out.push(...sourceFindings(m, o.signallingPeer ?? null));
    if (m.received > 0) {
      if (m.lossPercent >= 3)
        out.push({
          code: 'high-loss',
          severity: m.lossPercent >= 10 ? 'error' : 'warning',
          message: `${m.lossPercent.toFixed(1)} % of the returned RTP packets were lost.`,
        });
      if ((m.jitterMs ?? 0) >= 30)
        out.push({
          code: 'high-jitter',
          severity: 'warning',
          message: `Interarrival jitter is ${m.jitterMs!.toFixed(1)} ms (above 30 ms audio starts to break up).`,
        });
      if ((m.rttMs ?? 0) >= 300)
        out.push({
          code: 'high-latency',
          severity: 'warning',
          message: `Round-trip time is ${m.rttMs!.toFixed(0)} ms: people will talk over each other.`,
        });
      if (m.echoDelayMs !== null && m.echoDelayMs >= 1000)
        out.push({
          code: 'echo-delay',
          severity: 'info',
          message: `The echo service holds the audio ${(m.echoDelayMs / 1000).toFixed(2)} s before sending it back (a delayed echo, measured from our test signal's markers): that is its own delay, not the network's${m.rttMs !== null ? ` (network round trip ${m.rttMs.toFixed(1)} ms)` : ''}.`,
        });
      if (m.rttNote)
        out.push({
          code: 'rtt-sources-disagree',
          severity: 'info',
          message: m.rttNote,
        });
      if (m.rtcpReceived === 0)
        out.push({
          code: 'rtcp-missing',
          severity: 'info',
          message: `The far end sent no RTCP; RTT comes from ${m.rttSource === 'echoed-packets' ? 'our echoed packets' : m.rttSource === 'audio-markers' ? 'the audio markers' : 'no source'}.`,
        });
    }
  }
  return out;
}

/**
 * RTP that arrives from elsewhere than any SDP said. On the port the SDP named, from the address
 * we exchange SIP with: a multi-homed far end answering from another of its addresses — no NAT.
 * Otherwise a NAT or media relay in front of the far end rewrote it (RFC 4961 symmetric RTP).
 */
function sourceFindings(m: RtpSessionStats, signallingPeer: string | null): Finding[] {
  if (!m.sourceMismatch) return [];
  const expected = new Set(m.expectedRemotes);
  const ports = new Set(m.expectedRemotes.map((e) => e.slice(e.lastIndexOf(':') + 1)));
  const odd = m.sources.filter((s) => !expected.has(s.endpoint));
  const sameHost = (e: string) =>
    signallingPeer !== null &&
    e.slice(0, e.lastIndexOf(':')).replace(/^\[|\]$/g, '') === signallingPeer &&
    ports.has(e.slice(e.lastIndexOf(':') + 1));
  const list = (xs: typeof odd) => xs.map((s) => `${s.endpoint} (${s.packets})`).join(', ');
  const out: Finding[] = [];
  const multiHomed = odd.filter((s) => sameHost(s.endpoint));
  const rewritten = odd.filter((s) => !sameHost(s.endpoint));
  if (multiHomed.length)
    out.push({
      code: 'rtp-other-address',
      severity: 'info',
      message: `RTP arrived from ${list(multiHomed)}, another address of the far end (the one we exchange SIP with, on the port its SDP named ${m.expectedRemotes.join(' / ')}): the far end is multi-homed and answers from another of its addresses. No NAT is involved; but a NAT with address-dependent filtering on your side would drop such RTP.`,
    });
  if (rewritten.length)
    out.push({
      code: 'rtp-source-mismatch',
      severity: 'warning',
      message: `RTP arrived from ${list(rewritten)}, but the SDP said ${m.expectedRemotes.join(' / ')}: there is a NAT or media relay in front of the far end. Endpoints must use symmetric RTP (send to where RTP comes from) for audio to flow both ways.`,
    });
  return out;
}
