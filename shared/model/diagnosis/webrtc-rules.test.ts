import { describe, expect, it } from 'vitest';
import type { CallResult } from '../../contracts/call.ts';
import type { WebSocketSummary } from '../../contracts/websocket.ts';
import type { Candidate, WebrtcResult } from '../../contracts/webrtc.ts';
import { factsFromResults, sectionsFromResults, type StepResults } from './from-results.ts';
import { diagnose } from './rules.ts';

const openSocket: WebSocketSummary = {
  url: 'wss://pbx.example.com/ws',
  opened: true,
  failedAt: null,
  httpStatus: null,
  httpReason: null,
  answeredBy: null,
  subprotocol: 'sip',
  openMs: 40,
  closeCode: null,
  closeReason: null,
  closedByPeer: false,
  closedAfterSec: null,
  idleBeforeCloseSec: null,
  message: 'open',
};

const cand = (type: Candidate['type'], relayProtocol: Candidate['relayProtocol'] = null): Candidate => ({
  type,
  protocol: 'udp',
  address: '198.51.100.7',
  port: 50000,
  relayProtocol,
});

function webrtc(o: Partial<WebrtcResult> & { pair?: [Candidate, Candidate] | null } = {}): WebrtcResult {
  const { pair = [cand('srflx'), cand('host')], ...rest } = o;
  return {
    wsUrl: 'wss://pbx.example.com/ws',
    target: 'sip:9196@pbx.example.com',
    outcome: 'ok',
    websocket: openSocket,
    registration: null,
    sip: { status: 200, reason: 'OK' },
    ice: {
      servers: ['stun:stun.example.com:3478'],
      policy: 'all',
      gathered: { host: 1, srflx: 1, prflx: 0, relay: 0 },
      localCandidates: [],
      serverErrors: [],
      iceState: 'connected',
      connectionState: 'connected',
      selectedPair: pair ? { local: pair[0], remote: pair[1], rttMs: 20 } : null,
      connectedAfterMs: 300,
    },
    dtls: { state: 'connected', srtpCipher: 'AES_CM_128_HMAC_SHA1_80', tlsVersion: 'FEFD' },
    audio: {
      source: 'microphone',
      codec: 'PCMU',
      packetsSent: 500,
      packetsReceived: 495,
      sentEnergy: 0.5,
      echoPeakLevel: 0.4,
      echoHeard: true,
    },
    stats: { lossPercent: 1, jitterMs: 3, rttMs: 20, mos: 4.3, emodel: null },
    samples: [],
    findings: [],
    mediaSec: 10,
    browser: 'Chromium',
    ...rest,
  };
}

const ids = (r: StepResults) => diagnose(factsFromResults(r)).map((f) => f.id);
const find = (r: StepResults, id: string) => diagnose(factsFromResults(r)).find((f) => f.id === id);

describe('browser softphone findings', () => {
  it('a refused upgrade on the SIP call is websocket-blocked with the HTTP status, not a failed call', () => {
    const call = {
      target: 'sip:9196@pbx.example.com',
      transport: 'wss',
      answered: false,
      sipStatus: null,
      sipReason: null,
      endReason: 'transport-error',
      registration: null,
      signaling: {
        local: '',
        server: '203.0.113.5:443',
        contact: '',
        viaReceived: null,
        okRetransmissions: 0,
      },
      media: null,
      rtp: null,
      oneWayAudio: false,
      findings: [],
      messages: [],
      websocket: {
        ...openSocket,
        opened: false,
        subprotocol: null,
        failedAt: 'http-status',
        httpStatus: 403,
        answeredBy: 'Server: squid',
        message: 'HTTP 403',
      },
    } satisfies CallResult;
    expect(ids({ call })).toEqual(['websocket-blocked']);
    const f = find({ call }, 'websocket-blocked')!;
    expect(f.evidence).toMatchObject({ httpStatus: 403, answeredBy: 'Server: squid', openedBy: 'sip-call' });
    expect(f.advice.join('\n')).toMatch(/proxy or firewall here blocks WebSocket upgrades/);
    expect(f.advice.join('\n')).toMatch(/wss-binding/);
    expect(f.advice.join('\n')).toMatch(/transport-wss/);
    expect(f.advice.join('\n')).toMatch(/ws_handle_handshake/);
  });

  it('the browser cannot see the HTTP status: the advice says how to get it', () => {
    const r = webrtc({
      outcome: 'websocket-failed',
      websocket: { ...openSocket, opened: false, failedAt: 'dropped', closeCode: 1006, message: '1006' },
      pair: null,
    });
    expect(ids({ webrtc: r })).toEqual(['websocket-blocked']);
    expect(find({ webrtc: r }, 'websocket-blocked')!.advice[0]).toMatch(/natscope call wss/);
  });

  it('ICE failure without a TURN server says a relay is missing, and names the gateway settings', () => {
    const r = webrtc({ outcome: 'ice-failed', pair: null });
    r.ice.iceState = 'failed';
    const f = find({ webrtc: r, nat: undefined }, 'ice-failed')!;
    expect(ids({ webrtc: r })).toEqual(['ice-failed']);
    expect(f.advice[0]).toMatch(/No TURN server was configured/);
    expect(f.advice.join('\n')).toMatch(/webrtc=yes/);
    expect(f.advice.join('\n')).toMatch(/rtpengine/);
    expect(f.evidence).toMatchObject({ relayCandidates: 0, iceState: 'failed' });
  });

  it('ICE failure with a TURN server that gave no relay candidate points at the TURN server', () => {
    const r = webrtc({ outcome: 'ice-failed', pair: null });
    r.ice.servers = ['turn:turn.example.com:3478?transport=tcp'];
    r.ice.serverErrors = [
      { url: 'turn:turn.example.com:3478?transport=tcp', code: 401, text: 'Unauthorized' },
    ];
    const f = find({ webrtc: r }, 'ice-failed')!;
    expect(f.advice[0]).toMatch(/gave no relay candidate .*401 Unauthorized/);
  });

  it('DTLS failure after ICE connected is dtls-failed', () => {
    const r = webrtc({ outcome: 'dtls-failed' });
    r.dtls.state = 'failed';
    expect(ids({ webrtc: r })).toEqual(['dtls-failed']);
    expect(find({ webrtc: r }, 'dtls-failed')!.advice.join('\n')).toMatch(/dtls_auto_generate_cert/);
  });

  it('a working call through the relay is webrtc-relay-only, never webrtc-ok', () => {
    const r = webrtc({ pair: [cand('relay', 'tcp'), cand('host')] });
    expect(ids({ webrtc: r })).toEqual(['webrtc-relay-only']);
    const f = find({ webrtc: r }, 'webrtc-relay-only')!;
    expect(f.title).toContain('relay/tcp ↔ host/udp');
    expect(f.advice[1]).toMatch(/over TCP\/TLS/);
  });

  it('a direct working call is webrtc-ok with its candidate pair and MOS', () => {
    const r = webrtc();
    expect(ids({ webrtc: r })).toEqual(['webrtc-ok']);
    expect(find({ webrtc: r }, 'webrtc-ok')!.title).toBe(
      'WebRTC echo: audio both ways over srflx/udp ↔ host/udp (MOS 4.30)',
    );
  });

  it('a 488 to the browser offer says the gateway is not set up for WebRTC media', () => {
    const r = webrtc({
      outcome: 'call-failed',
      sip: { status: 488, reason: 'Not Acceptable Here' },
      pair: null,
    });
    const f = diagnose(factsFromResults({ webrtc: r }))[0]!;
    expect(f).toMatchObject({ id: 'no-audio', area: 'webrtc' });
    expect(f.advice[0]).toMatch(/not set up for WebRTC/);
  });

  it('the report carries a WebRTC section with the chosen pair and the figures', () => {
    const summary = sectionsFromResults({ webrtc: webrtc() }).webrtc!.summary;
    expect(summary).toMatchObject({
      outcome: 'ok',
      selectedPair: 'srflx/udp ↔ host/udp',
      dtls: 'connected (AES_CM_128_HMAC_SHA1_80)',
      mos: 4.3,
      echoHeard: true,
    });
  });
});
