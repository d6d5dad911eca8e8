/**
 * Which round-trip time to believe. An echo call has up to three independent RTT sources:
 *  - echoed packets: our own packets coming back (same sequence number and timestamp), arrival −
 *    send time — a direct measurement of the network path and the echo's turnaround;
 *  - RTCP: A − LSR − DLSR from the far end's report blocks (RFC 3550 §6.4.1) — right only if the
 *    far end fills DLSR with how long it held our SR (a DLSR of 0 inflates RTT by that time);
 *  - audio markers: the test signal's bursts heard back (marker-detector.ts) — the network round
 *    trip *plus* whatever the echo service adds (its jitter buffer, a deliberate delay such as
 *    FreeSWITCH 9195's 5 s). Physically, the network RTT can never exceed it.
 * The network RTT is taken from the most direct source that is physically consistent with the
 * others; a source that disagrees beyond the tolerance (rttTolerance) is reported and not used. When no network
 * source is left (an echo that neither reflects our packets nor sends usable RTCP, and delays its
 * audio on purpose), the network RTT is unknown rather than the audio round trip: that would feed
 * seconds of deliberate delay into the E-model. Pure: no clock, no I/O.
 */
export type RttSource = 'rtcp' | 'echoed-packets' | 'audio-markers';
export type RttAgreement = 'agree' | 'disagree' | 'single-source' | 'none';

export interface RtcpRttSample {
  rttMs: number;
  /** The report block's DLSR was 0 (the far end did not say how long it held our SR). */
  dlsrZero: boolean;
}

export interface RttInputs {
  rtcp: readonly RtcpRttSample[];
  echoedPacketsMs: number | null;
  audioMarkersMs: number | null;
  /** A deliberate delay the echo service is known to add (a delayed-echo preset), else 0. */
  expectedEchoDelayMs: number;
}

export interface RttEstimate {
  /** Network round-trip time, or null when no source can tell it apart from the echo's delay. */
  rttMs: number | null;
  source: RttSource | null;
  /** RTCP RTT as reported (median of the usable samples, else of all), for display. */
  rtcpMs: number | null;
  agreement: RttAgreement;
  /** What disagreed or was missing and what was done about it, in words; null when all agree. */
  note: string | null;
  /** Audio round trip minus the network RTT: the time the echo service held the audio. */
  echoDelayMs: number | null;
}

/**
 * Two RTT figures agree when within 20 ms or 25 % of the smaller one, whichever is larger: that
 * much is timestamping noise (each end stamps packets when its process gets to them, and a busy
 * host lags by tens of ms), while the faults this check exists for are off by hundreds of ms or
 * by multiples (an RTCP report with DLSR 0 claiming seconds).
 */
export function rttTolerance(a: number, b: number): number {
  return Math.max(20, 0.25 * Math.min(a, b));
}

/** Beyond this, an audio round trip is not a network path (GEO satellite hops are ~600 ms). */
export const MAX_PLAUSIBLE_NETWORK_RTT_MS = 1500;

export function estimateRtt(i: RttInputs): RttEstimate {
  const withDlsr = i.rtcp.filter((s) => !s.dlsrZero).map((s) => s.rttMs);
  const allRtcp = i.rtcp.map((s) => s.rttMs);
  const rtcpMs = median(withDlsr) ?? median(allRtcp);
  const rtcpDlsrZero = withDlsr.length === 0 && allRtcp.length > 0;
  const echo = i.echoedPacketsMs;
  const markers = i.audioMarkersMs;
  const notes: string[] = [];
  let disagree = false;
  const fmt = (x: number) => `${x < 10 ? x.toFixed(1) : Math.round(x)} ms`;
  const agrees = (a: number, b: number) => Math.abs(a - b) <= rttTolerance(a, b);
  // Physical bound: audio cannot come back before the network has carried it out and back.
  const withinMarkers = (x: number) => markers === null || x <= markers + rttTolerance(x, markers);
  const rtcpWhy = rtcpDlsrZero
    ? 'its reports carry DLSR 0, so RTCP counts the time the far end held our report as network delay'
    : 'the far end’s RTCP timing is inconsistent';

  let rttMs: number | null = null;
  let source: RttSource | null = null;
  if (echo !== null) {
    rttMs = echo;
    source = 'echoed-packets';
    if (rtcpMs !== null && !agrees(rtcpMs, echo)) {
      disagree = true;
      notes.push(
        `RTCP says ${fmt(rtcpMs)} but our echoed packets took ${fmt(echo)}: RTCP not used (${rtcpWhy}).`,
      );
    }
  } else if (rtcpMs !== null && withinMarkers(rtcpMs) && !(rtcpDlsrZero && markers === null)) {
    rttMs = rtcpMs;
    source = 'rtcp';
  } else if (rtcpMs !== null) {
    disagree = true;
    notes.push(
      markers === null
        ? `RTCP says ${fmt(rtcpMs)} but ${rtcpWhy}, and nothing else measured the path: RTT unknown.`
        : `RTCP says ${fmt(rtcpMs)} but the audio itself came back after ${fmt(markers)}: RTCP not used (${rtcpWhy}).`,
    );
  }

  if (source === null && markers !== null) {
    if (i.expectedEchoDelayMs > 0) {
      notes.push(
        `Only the audio round trip (${fmt(markers)}) was measured, and the echo service delays audio by ${fmt(i.expectedEchoDelayMs)} on purpose: the network RTT cannot be told apart (no RTCP, packets not reflected).`,
      );
    } else if (markers > MAX_PLAUSIBLE_NETWORK_RTT_MS) {
      notes.push(
        `The audio came back after ${fmt(markers)}, far longer than any network round trip: the echo service delays the audio on purpose (a delayed echo). The network RTT is unknown (no RTCP, packets not reflected).`,
      );
    } else {
      rttMs = markers;
      source = 'audio-markers';
    }
  } else if (source !== null && markers !== null && rttMs !== null && !withinMarkers(rttMs)) {
    disagree = true;
    notes.push(
      `${source} RTT ${fmt(rttMs)} is longer than the audio round trip ${fmt(markers)}, which is impossible.`,
    );
  }

  const independent = [echo, rtcpMs, markers].filter((x) => x !== null).length;
  const agreement: RttAgreement =
    independent === 0 ? 'none' : disagree ? 'disagree' : independent === 1 ? 'single-source' : 'agree';
  // With the markers as the only source the echo's own delay cannot be separated out; with the
  // network RTT unknown it is reported whole (it then includes the unknown network round trip).
  const echoDelayMs =
    markers === null || source === 'audio-markers' ? null : Math.max(0, markers - (rttMs ?? 0));
  return { rttMs, source, rtcpMs, agreement, note: notes.length ? notes.join(' ') : null, echoDelayMs };
}

export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
