/**
 * The WebRTC echo's result from what the browser observed: the outcome (which stage failed, or
 * whether audio came back with sound in it), the chosen candidate pair, final figures with MOS from
 * the SIP echo's E-model, and the findings the diagnosis rules give for it.
 */
import type { WebSocketSummary } from '../../contracts/websocket.ts';
import type { Candidate, WebrtcEchoInput, WebrtcResult, WebrtcSample } from '../../contracts/webrtc.ts';
import { factsFromResults } from '../diagnosis/from-results.ts';
import { diagnose } from '../diagnosis/rules.ts';
import { finalFigures, type StatsSnapshot } from './stats.ts';

/** Echoed audio whose level never got above this (0..1, ≈ −50 dBFS) is silence. */
export const ECHO_LEVEL_MIN = 0.003;

export type WebrtcFailure = 'websocket' | 'register' | 'call' | 'ice' | 'dtls' | 'cancelled' | 'error';

export interface WebrtcObservations {
  input: {
    wsUrl: string;
    target: string;
    iceServers: { urls: string[] }[];
    iceTransportPolicy: 'all' | 'relay';
    audio: NonNullable<WebrtcEchoInput['audio']>;
  };
  websocket: WebSocketSummary;
  registration: WebrtcResult['registration'];
  sip: WebrtcResult['sip'];
  failure: WebrtcFailure | null;
  candidates: Candidate[];
  serverErrors: WebrtcResult['ice']['serverErrors'];
  iceState: string | null;
  connectionState: string | null;
  connectedAfterMs: number | null;
  last: StatsSnapshot | null;
  samples: WebrtcSample[];
  mediaSec: number;
  browser: string;
}

const OUTCOME: Record<WebrtcFailure, WebrtcResult['outcome']> = {
  websocket: 'websocket-failed',
  register: 'register-failed',
  call: 'call-failed',
  ice: 'ice-failed',
  dtls: 'dtls-failed',
  cancelled: 'cancelled',
  error: 'error',
};

export function echoHeard(samples: WebrtcSample[]): boolean {
  return samples.some((s) => (s.audioLevel ?? 0) >= ECHO_LEVEL_MIN);
}

export function buildWebrtcResult(o: WebrtcObservations): WebrtcResult {
  const last = o.last;
  const heard = echoHeard(o.samples);
  const received = last?.received ?? 0;
  const outcome = o.failure ? OUTCOME[o.failure] : received === 0 || !heard ? 'no-audio' : 'ok';
  const gathered = { host: 0, srflx: 0, prflx: 0, relay: 0 };
  for (const c of o.candidates) gathered[c.type]++;
  const result: WebrtcResult = {
    wsUrl: o.input.wsUrl,
    target: o.input.target,
    outcome,
    websocket: o.websocket,
    registration: o.registration,
    sip: o.sip,
    ice: {
      servers: o.input.iceServers.flatMap((s) => s.urls),
      policy: o.input.iceTransportPolicy,
      gathered,
      localCandidates: o.candidates.slice(0, 50),
      serverErrors: o.serverErrors.slice(0, 20),
      iceState: o.iceState,
      connectionState: o.connectionState,
      selectedPair: last?.pair
        ? { local: last.pair.local, remote: last.pair.remote, rttMs: last.pair.rttMs }
        : null,
      connectedAfterMs: o.connectedAfterMs,
    },
    dtls: {
      state: last?.dtlsState ?? null,
      srtpCipher: last?.srtpCipher ?? null,
      tlsVersion: last?.tlsVersion ?? null,
    },
    audio: {
      source: o.input.audio,
      codec: last?.codec ?? null,
      packetsSent: last?.sent ?? 0,
      packetsReceived: received,
      sentEnergy: last?.sourceEnergy ?? null,
      echoPeakLevel: o.samples.length ? Math.max(...o.samples.map((x) => x.audioLevel ?? 0)) : null,
      echoHeard: heard,
    },
    stats: last && received > 0 ? finalFigures(last) : null,
    samples: o.samples.slice(-200),
    findings: [],
    mediaSec: Math.round(o.mediaSec * 10) / 10,
    browser: o.browser,
  };
  result.findings = diagnose(factsFromResults({ webrtc: result }));
  return result;
}

/**
 * What to say about the browser's WebSocket. Browsers report a refused upgrade as close code 1006
 * and nothing else; the host's own probe of the same URL (websocket.probe) fills in the HTTP status
 * and the stage. When the probe opened where the browser could not, the difference is the finding.
 */
export function browserWebSocketSummary(
  url: string,
  browser: { opened: boolean; closeCode: number | null; closeReason: string | null; openMs: number | null },
  probe: WebSocketSummary | null,
): WebSocketSummary {
  const base: WebSocketSummary = {
    url,
    opened: browser.opened,
    failedAt: null,
    httpStatus: browser.opened ? 101 : null,
    httpReason: null,
    answeredBy: null,
    subprotocol: browser.opened ? 'sip' : null,
    openMs: browser.openMs,
    closeCode: browser.closeCode,
    closeReason: browser.closeReason,
    closedByPeer: browser.closeCode !== null,
    closedAfterSec: null,
    idleBeforeCloseSec: null,
    message: browser.opened
      ? `The browser opened the SIP WebSocket to ${url}.`
      : `The browser could not open the SIP WebSocket to ${url} (close code ${browser.closeCode ?? 1006}; browsers do not say why).`,
  };
  if (browser.opened || !probe) return base;
  if (!probe.opened)
    return {
      ...probe,
      closeCode: browser.closeCode,
      message: `${probe.message} (The browser saw close code ${browser.closeCode ?? 1006}.)`,
    };
  return {
    ...base,
    answeredBy: probe.answeredBy,
    message: `The browser could not open the SIP WebSocket to ${url} (close code ${browser.closeCode ?? 1006}), but NatScope's own client could: the browser does not trust the server's certificate (install the CA in the system or browser), or the server refuses the browser's Origin header.`,
  };
}
