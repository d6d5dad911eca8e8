// The WebRTC echo's pure model (shared/model/webrtc) against getStats() reports a real Chromium 1xx produced in the lab
// (test/fixtures/webrtc: a direct call through the NAT, one through coturn over TCP with UDP
// blocked, and one whose ICE failed), a real Chrome offer for the G.711-only rewrite, and the
// browser-vs-probe WebSocket story.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { WebSocketSummary } from '../../shared/contracts/websocket.ts';
import { initialSummary } from '../../electron/engine/sip/websocket-transport.ts';
import { keepG711 } from '../../shared/model/webrtc/g711-offer.ts';
import {
  browserWebSocketSummary,
  buildWebrtcResult,
  type WebrtcObservations,
} from '../../shared/model/webrtc/result.ts';
import { finalFigures, readStats, sampleOf, type StatsEntry } from '../../shared/model/webrtc/stats.ts';

const fixture = (name: string) =>
  JSON.parse(
    readFileSync(new URL(`../fixtures/webrtc/chromium-stats-${name}.json`, import.meta.url), 'utf8'),
  ) as StatsEntry[];

describe('getStats() → snapshot (W3C webrtc-stats)', () => {
  it('a direct call: the chosen pair runs from the NAT (prflx) to rtpengine, DTLS up, PCMU', () => {
    const s = readStats(fixture('direct'));
    expect(s.pair).toMatchObject({
      local: { type: 'prflx', protocol: 'udp', address: '203.0.113.2' },
      remote: { type: 'host', protocol: 'udp', address: '203.0.113.10' },
      state: 'succeeded',
    });
    expect(s).toMatchObject({ dtlsState: 'connected', iceState: 'connected', codec: 'PCMU' });
    expect(s.srtpCipher).toMatch(/AES/);
    expect(s.sent).toBeGreaterThan(150);
    expect(s.received).toBeGreaterThan(150);
    expect(s.sourceEnergy).toBeGreaterThan(0); // the fake microphone's beeps
  });

  it('through coturn over TCP: the local side of the pair is a relay candidate reached over tcp', () => {
    const s = readStats(fixture('relay'));
    expect(s.pair!.local).toMatchObject({ type: 'relay', relayProtocol: 'tcp', address: '203.0.113.10' });
  });

  it('ICE failed: no pair, no DTLS', () => {
    const s = readStats(fixture('ice-failed'));
    expect(s.pair).toBeNull();
    expect(s.dtlsState).not.toBe('connected');
    expect(s.received).toBe(0);
  });

  it('a sample is the interval between two reports; MOS from the SIP echo E-model (G.711, PLC)', () => {
    const before = readStats(fixture('direct-before'));
    const after = readStats(fixture('direct'));
    const sample = sampleOf(before, after, 4, 0.9);
    expect(sample.packetsReceived).toBe(after.received);
    expect(sample.lossPercent).toBe(0);
    expect(sample.audioLevel).toBe(0.9);
    expect(sample.mos).toBeGreaterThan(4.3);
    const f = finalFigures(after);
    expect(f.emodel).toMatchObject({ inputs: { codec: 'pcmu', Bpl: 25.1, Ie: 0 } });
    expect(f.mos).toBe(f.emodel!.mos);
  });

  it('loss in an interval comes from the inbound counters, and another codec gets no MOS', () => {
    const a = readStats(fixture('direct-before'));
    const b = { ...a, received: a.received + 45, lost: a.lost + 5 };
    expect(sampleOf(a, b, 1).lossPercent).toBe(10);
    expect(sampleOf(a, { ...b, codec: 'opus' }, 1).mos).toBeNull();
  });
});

describe('G.711-only offer (RFC 3264 §5.1)', () => {
  const chrome = [
    'v=0',
    'o=- 46117 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=group:BUNDLE 0',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
    'c=IN IP4 0.0.0.0',
    'a=rtcp-mux',
    'a=rtpmap:111 opus/48000/2',
    'a=rtcp-fb:111 transport-cc',
    'a=fmtp:111 minptime=10;useinbandfec=1',
    'a=rtpmap:63 red/48000/2',
    'a=fmtp:63 111/111',
    'a=rtpmap:9 G722/8000',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:13 CN/8000',
    'a=rtpmap:110 telephone-event/48000',
    'a=rtpmap:126 telephone-event/8000',
    'a=ssrc:1 cname:x',
    '',
  ].join('\r\n');

  it('keeps PCMU, PCMA and 8 kHz telephone-event with their attributes, drops the rest', () => {
    const out = keepG711(chrome);
    expect(out).toContain('m=audio 9 UDP/TLS/RTP/SAVPF 0 8 126\r\n');
    expect(out).not.toMatch(/opus|red\/|G722|CN\/8000|telephone-event\/48000|:111 |:63 /);
    expect(out).toContain('a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n');
    expect(out).toContain('a=rtcp-mux\r\n');
    expect(out).toContain('a=ssrc:1 cname:x');
  });

  it('an offer without G.711 is left as it was (the call then says what the gateway answered)', () => {
    const opusOnly = chrome.replace(' 9 0 8 13 110 126', '');
    expect(keepG711(opusOnly)).toBe(opusOnly);
  });
});

const sock = (o: Partial<WebSocketSummary>): WebSocketSummary => ({ ...initialSummary('wss://gw/ws'), ...o });

describe('the browser WebSocket and the host probe', () => {
  const failed = { opened: false, closeCode: 1006, closeReason: null, openMs: null };
  it('the probe supplies what the browser cannot: the HTTP status', () => {
    const s = browserWebSocketSummary(
      'wss://gw/ws',
      failed,
      sock({ failedAt: 'http-status', httpStatus: 403, message: 'HTTP 403' }),
    );
    expect(s).toMatchObject({ failedAt: 'http-status', httpStatus: 403, closeCode: 1006 });
  });
  it('the probe opening where the browser could not points at trust or Origin', () => {
    const s = browserWebSocketSummary('wss://gw/ws', failed, sock({ opened: true, httpStatus: 101 }));
    expect(s.opened).toBe(false);
    expect(s.message).toMatch(/certificate .* Origin/);
  });
  it('without a probe nothing is invented', () => {
    expect(browserWebSocketSummary('wss://gw/ws', failed, null)).toMatchObject({
      failedAt: null,
      httpStatus: null,
    });
  });
});

describe('outcome', () => {
  const obs = (o: Partial<WebrtcObservations>): WebrtcObservations => ({
    input: {
      wsUrl: 'wss://gw/ws',
      target: 'sip:9196@gw',
      iceServers: [],
      iceTransportPolicy: 'all',
      audio: 'microphone',
    },
    websocket: sock({ opened: true }),
    registration: null,
    sip: { status: 200, reason: 'OK' },
    failure: null,
    candidates: [],
    serverErrors: [],
    iceState: 'connected',
    connectionState: 'connected',
    connectedAfterMs: 20,
    last: readStats(fixture('direct')),
    samples: [],
    mediaSec: 4,
    browser: 'Chromium',
    ...o,
  });
  const sample = (audioLevel: number) => ({
    elapsedSec: 1,
    packetsSent: 50,
    packetsReceived: 50,
    lossPercent: 0,
    jitterMs: 1,
    rttMs: 1,
    mos: 4.4,
    audioLevel,
  });

  it('packets with sound in them are ok; packets of silence are no-audio', () => {
    expect(buildWebrtcResult(obs({ samples: [sample(0.9)] })).outcome).toBe('ok');
    const silent = buildWebrtcResult(obs({ samples: [sample(0), sample(0.001)] }));
    expect(silent.outcome).toBe('no-audio');
    expect(silent.findings.map((f) => f.id)).toEqual(['one-way-audio']);
  });

  it('a stage failure wins, and its findings come from the diagnosis rules', () => {
    const r = buildWebrtcResult(
      obs({ failure: 'ice', last: readStats(fixture('ice-failed')), iceState: 'failed' }),
    );
    expect(r.outcome).toBe('ice-failed');
    expect(r.findings.map((f) => f.id)).toEqual(['ice-failed']);
    expect(r.stats).toBeNull();
  });
});
