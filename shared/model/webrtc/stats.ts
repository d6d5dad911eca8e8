/**
 * Reading RTCPeerConnection.getStats() (W3C webrtc-stats) for the WebRTC echo: the chosen candidate
 * pair (transport.selectedCandidatePairId → candidate-pair → local/remote-candidate), DTLS state,
 * the audio streams (outbound-rtp, inbound-rtp, remote-inbound-rtp from the far end's RTCP) and the
 * codec. Pure: it takes the report's entries as plain records, so tests feed it reports a real
 * Chromium produced.
 */
import type { Candidate, WebrtcSample } from '../../contracts/webrtc.ts';
import { emodelSummary } from '../emodel-path.ts';

export type StatsEntry = { id: string; type: string; timestamp?: number } & Record<string, unknown>;

export interface StatsSnapshot {
  /** ms (the stats' own timestamp). */
  at: number;
  pair: { local: Candidate; remote: Candidate; rttMs: number | null; state: string | null } | null;
  dtlsState: string | null;
  srtpCipher: string | null;
  tlsVersion: string | null;
  iceState: string | null;
  codec: string | null;
  sent: number;
  received: number;
  lost: number;
  jitterMs: number | null;
  audioLevel: number | null;
  /** What the microphone (or tone) put in: media-source totalAudioEnergy. */
  sourceEnergy: number | null;
  /** From the far end's RTCP receiver reports about our stream. */
  remoteRttMs: number | null;
  remoteFractionLost: number | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

export function candidateOf(e: StatsEntry | undefined): Candidate | null {
  if (!e) return null;
  const type = str(e.candidateType);
  if (type !== 'host' && type !== 'srflx' && type !== 'prflx' && type !== 'relay') return null;
  const relay = str(e.relayProtocol);
  return {
    type,
    protocol: e.protocol === 'tcp' ? 'tcp' : 'udp',
    address: str(e.address) ?? str(e.ip),
    port: num(e.port),
    relayProtocol: relay === 'udp' || relay === 'tcp' || relay === 'tls' ? relay : null,
  };
}

export function readStats(entries: Iterable<StatsEntry>): StatsSnapshot {
  const all = [...entries];
  const byId = new Map(all.map((e) => [e.id, e]));
  const of = (type: string) => all.filter((e) => e.type === type);
  const transport = of('transport')[0];
  const pairEntry =
    byId.get(String(transport?.selectedCandidatePairId ?? '')) ??
    of('candidate-pair').find(
      (p) => p.selected === true || (p.nominated === true && p.state === 'succeeded'),
    );
  const local = candidateOf(byId.get(String(pairEntry?.localCandidateId ?? '')));
  const remote = candidateOf(byId.get(String(pairEntry?.remoteCandidateId ?? '')));
  const audio = (e: StatsEntry) => e.kind === 'audio' || e.mediaType === 'audio';
  const inbound = of('inbound-rtp').find(audio);
  const outbound = of('outbound-rtp').find(audio);
  const remoteIn = of('remote-inbound-rtp').find(audio);
  const source = of('media-source').find(audio);
  const codec = byId.get(String(inbound?.codecId ?? outbound?.codecId ?? ''));
  const rtt = num(pairEntry?.currentRoundTripTime);
  const jitter = num(inbound?.jitter);
  const remoteRtt = num(remoteIn?.roundTripTime);
  return {
    at: num(inbound?.timestamp) ?? num(transport?.timestamp) ?? num(all[0]?.timestamp) ?? 0,
    pair:
      local && remote
        ? { local, remote, rttMs: rtt === null ? null : rtt * 1000, state: str(pairEntry?.state) }
        : null,
    dtlsState: str(transport?.dtlsState),
    srtpCipher: str(transport?.srtpCipher),
    tlsVersion: str(transport?.tlsVersion),
    iceState: str(transport?.iceState),
    codec: str(codec?.mimeType)?.replace(/^audio\//i, '') ?? null,
    sent: num(outbound?.packetsSent) ?? 0,
    received: num(inbound?.packetsReceived) ?? 0,
    lost: Math.max(0, num(inbound?.packetsLost) ?? 0),
    jitterMs: jitter === null ? null : jitter * 1000,
    audioLevel: num(inbound?.audioLevel),
    sourceEnergy: num(source?.totalAudioEnergy),
    remoteRttMs: remoteRtt === null ? null : remoteRtt * 1000,
    remoteFractionLost: num(remoteIn?.fractionLost),
  };
}

/** G.711 only is offered, so MOS uses the SIP echo's E-model; another codec gets no MOS. */
function lawOf(codec: string | null): 'pcmu' | 'pcma' | null {
  const c = codec?.toUpperCase();
  return c === 'PCMU' ? 'pcmu' : c === 'PCMA' ? 'pcma' : null;
}

/** RTT: the far end's RTCP figure when it sends one, else ICE consent checks on the chosen pair. */
export function rttOf(s: StatsSnapshot): number | null {
  return s.remoteRttMs ?? s.pair?.rttMs ?? null;
}

function lossPercent(received: number, lost: number): number | null {
  const expected = received + lost;
  return expected > 0 ? (100 * lost) / expected : null;
}

function mosOf(s: StatsSnapshot, loss: number | null): number | null {
  const law = lawOf(s.codec);
  if (!law || s.received === 0) return null;
  return emodelSummary({ rttMs: rttOf(s), jitterMs: s.jitterMs, lossPercent: loss ?? 0, codec: law }).mos;
}

/**
 * One chart point: what changed since the previous snapshot (loss in this interval). `meterLevel`:
 * the page's own peak level of the decoded echo, used when the browser reports none.
 */
export function sampleOf(
  prev: StatsSnapshot | null,
  cur: StatsSnapshot,
  elapsedSec: number,
  meterLevel?: number,
): WebrtcSample {
  const received = cur.received - (prev?.received ?? 0);
  const lost = cur.lost - (prev?.lost ?? 0);
  const loss = lossPercent(Math.max(0, received), Math.max(0, lost));
  return {
    elapsedSec: Math.round(elapsedSec * 10) / 10,
    packetsSent: cur.sent,
    packetsReceived: cur.received,
    lossPercent: loss === null ? null : round(loss, 2),
    jitterMs: cur.jitterMs === null ? null : round(cur.jitterMs, 2),
    rttMs: rttOf(cur) === null ? null : round(rttOf(cur)!, 1),
    mos: mosOf(cur, loss),
    audioLevel: Math.max(cur.audioLevel ?? 0, meterLevel ?? 0) || (cur.audioLevel ?? meterLevel ?? null),
  };
}

/** The whole call's figures from the last snapshot (counters are cumulative). */
export function finalFigures(last: StatsSnapshot) {
  const loss = lossPercent(last.received, last.lost);
  const law = lawOf(last.codec);
  const emodel =
    law && last.received > 0
      ? emodelSummary({ rttMs: rttOf(last), jitterMs: last.jitterMs, lossPercent: loss ?? 0, codec: law })
      : null;
  return {
    lossPercent: loss === null ? null : round(loss, 2),
    jitterMs: last.jitterMs === null ? null : round(last.jitterMs, 2),
    rttMs: rttOf(last) === null ? null : round(rttOf(last)!, 1),
    mos: emodel?.mos ?? null,
    emodel,
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
