/**
 * The WebRTC echo, run by the browser itself: SIP.js (its UserAgent, its WebSocket transport per
 * RFC 7118 and its WebRTC session description handler) registers and calls an echo extension; the
 * browser's own ICE (RFC 8445, with the STUN/TURN servers given) and DTLS-SRTP (RFC 5763/5764)
 * carry the audio. Each stage's failure is named — WebSocket, REGISTER, INVITE, ICE, DTLS — and the
 * media is measured from getStats() once a second. Used by the WebRTC step and by the headless
 * page `natscope webrtc` drives.
 */
import { Inviter, Registerer, SessionState, UserAgent, Web, type Session } from 'sip.js';
import type { IncomingResponse } from 'sip.js/lib/core/index.js';
import type { WebSocketSummary } from '../../../../shared/contracts/websocket.ts';
import {
  WebrtcEchoInputSchema,
  type WebrtcEchoInput,
  type WebrtcEvent,
  type WebrtcResult,
  type WebrtcState,
} from '../../../../shared/contracts/webrtc.ts';
import { keepG711 } from '../../../../shared/model/webrtc/g711-offer.ts';
import {
  browserWebSocketSummary,
  buildWebrtcResult,
  type WebrtcObservations,
} from '../../../../shared/model/webrtc/result.ts';
import { sampleOf, type StatsSnapshot } from '../../../../shared/model/webrtc/stats.ts';
import { EchoMeter } from './echo-meter.ts';
import { localAudio } from './local-audio.ts';
import { PeerWatch } from './peer-watch.ts';

export interface RunHooks {
  signal: AbortSignal;
  onEvent(e: WebrtcEvent): void;
  /** Plays the echo (the UI's <audio>); headless runs pass none. */
  playback?: HTMLAudioElement | null;
  /** The host's probe of the URL (websocket.probe), asked when the browser's WebSocket fails. */
  probe?: (url: string) => Promise<WebSocketSummary | null>;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((r) => {
    const t = setTimeout(r, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), r()), { once: true });
  });

const hostOf = (uri: string) => /^sips?:(?:[^@]*@)?([^;?>:]+)/i.exec(uri)?.[1] ?? 'invalid';

export async function runWebrtcEcho(raw: WebrtcEchoInput, hooks: RunHooks): Promise<WebrtcResult> {
  const input = WebrtcEchoInputSchema.parse(raw);
  const t0 = performance.now();
  const state = (s: WebrtcState, detail?: string) =>
    hooks.onEvent({ kind: 'state', state: s, atMs: Math.round(performance.now() - t0), detail });
  const watch = new PeerWatch(hooks.onEvent);
  const audio = localAudio(input.audio);
  const browserWs = {
    opened: false,
    closeCode: null as number | null,
    closeReason: null as string | null,
    openMs: null as number | null,
  };
  const obs: WebrtcObservations = {
    input: { ...input, iceServers: input.iceServers.map((s) => ({ urls: s.urls })) },
    websocket: browserWebSocketSummary(input.wsUrl, browserWs, null),
    registration: null,
    sip: { status: null, reason: null },
    failure: null,
    candidates: watch.candidates,
    serverErrors: watch.serverErrors,
    iceState: null,
    connectionState: null,
    connectedAfterMs: null,
    last: null,
    samples: [],
    mediaSec: 0,
    browser: navigator.userAgent,
  };
  let session: Inviter | null = null;
  const base = Web.defaultSessionDescriptionHandlerFactory(audio.factory);
  const ua = new UserAgent({
    uri: UserAgent.makeURI(
      `sip:${input.account?.username ?? 'natscope'}@${input.account?.domain ?? hostOf(input.target)}`,
    ),
    authorizationUsername: input.account?.authUsername ?? input.account?.username,
    authorizationPassword: input.account?.password,
    transportOptions: { server: input.wsUrl, connectionTimeout: 5, keepAliveInterval: 30 },
    sessionDescriptionHandlerFactory: (s: Session, options?: object) => {
      const sdh = base(s, options) as Web.SessionDescriptionHandler;
      sdh.peerConnectionDelegate = watch.delegate(() => sdh.peerConnection);
      watch.pc = sdh.peerConnection ?? null;
      return sdh;
    },
    sessionDescriptionHandlerFactoryOptions: {
      peerConnectionConfiguration: {
        iceServers: input.iceServers,
        iceTransportPolicy: input.iceTransportPolicy,
      },
      iceGatheringTimeout: 5000,
    },
    reconnectionAttempts: 0,
    logBuiltinEnabled: false,
    userAgentString: 'NatScope WebRTC echo',
  });
  const finish = (failure: WebrtcObservations['failure'], detail?: string): WebrtcResult => {
    obs.failure = failure;
    obs.iceState = watch.iceState;
    obs.connectionState = watch.connectionState;
    state(failure && failure !== 'cancelled' ? 'failed' : 'ended', detail);
    return buildWebrtcResult(obs);
  };
  try {
    // 1. The SIP WebSocket.
    state('connecting', input.wsUrl);
    try {
      await ua.start();
      browserWs.opened = true;
      browserWs.openMs = Math.round(performance.now() - t0);
      obs.websocket = browserWebSocketSummary(input.wsUrl, browserWs, null);
    } catch (err) {
      // SIP.js: "WebSocket closed wss://… (code: 1006)" — all a browser learns about a refused upgrade.
      browserWs.closeCode = Number(/\(code: (\d+)\)/.exec(String(err))?.[1] ?? 1006);
      const probe = hooks.probe ? await hooks.probe(input.wsUrl).catch(() => null) : null;
      obs.websocket = browserWebSocketSummary(input.wsUrl, browserWs, probe);
      return finish('websocket', obs.websocket.message);
    }

    // 2. REGISTER (with an account).
    if (input.account?.register) {
      state('registering');
      const reg = await register(ua);
      obs.registration = reg;
      if (!reg.ok) return finish('register', reg.reason);
      state('registered', reg.reason);
    }

    // 3. INVITE with a G.711-only offer (same codec, same E-model as the SIP echo).
    state('calling', input.target);
    const target = UserAgent.makeURI(input.target);
    if (!target) return finish('error', `not a SIP URI: ${input.target}`);
    session = new Inviter(ua, target, {
      sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } },
      sessionDescriptionHandlerModifiers: [async (d) => ({ ...d, sdp: keepG711(d.sdp ?? '') })],
    });
    const answered = await invite(session, input.connectTimeoutSec * 1000 + 30_000, hooks.signal, (r) =>
      state('ringing', `${r.message.statusCode} ${r.message.reasonPhrase}`),
    );
    obs.sip = { status: answered.status, reason: answered.reason };
    if (hooks.signal.aborted) return finish('cancelled');
    if (!answered.ok) return finish('call', answered.reason ?? 'no answer');
    const answeredAt = performance.now();
    state('answered', `${answered.status} ${answered.reason}`);

    // 4. ICE and DTLS.
    const how = await watch.waitConnected(input.connectTimeoutSec * 1000, hooks.signal);
    obs.last = await watch.snapshot();
    if (hooks.signal.aborted) return await hangUp(session, ua, audio, finish('cancelled'));
    if (how !== 'connected') {
      const iceUp = watch.iceState === 'connected' || watch.iceState === 'completed';
      const failure = iceUp ? 'dtls' : 'ice';
      return await hangUp(
        session,
        ua,
        audio,
        finish(failure, `${failure === 'ice' ? 'ICE' : 'DTLS'} did not connect (${how})`),
      );
    }
    obs.connectedAfterMs = Math.round((watch.connectedAt ?? performance.now()) - answeredAt);
    if (obs.last?.pair)
      hooks.onEvent({ kind: 'pair', local: obs.last.pair.local, remote: obs.last.pair.remote });
    state(
      'connected',
      obs.last?.pair ? `${obs.last.pair.local.type} ↔ ${obs.last.pair.remote.type}` : undefined,
    );

    // 5. Media: play the echo, sample the stats once a second.
    // The echo must be rendered for the browser to decode it (and report its level): into the UI's
    // <audio>, or a silent one in headless runs.
    const sdh = session.sessionDescriptionHandler as Web.SessionDescriptionHandler | undefined;
    const sink = hooks.playback ?? Object.assign(new Audio(), { volume: 0 });
    if (sdh) {
      sink.srcObject = sdh.remoteMediaStream;
      void sink.play().catch(() => undefined);
    }
    const meter = sdh ? new EchoMeter(sdh.remoteMediaStream) : null;
    state('media');
    const mediaStart = performance.now();
    let prev: StatsSnapshot | null = null;
    while (!hooks.signal.aborted && performance.now() - mediaStart < input.durationSec * 1000) {
      await sleep(1000, hooks.signal);
      const snap = await watch.snapshot();
      if (!snap) break;
      const sample = sampleOf(prev, snap, (performance.now() - mediaStart) / 1000, meter?.take());
      obs.samples.push(sample);
      hooks.onEvent({ kind: 'sample', sample });
      prev = snap;
      obs.last = snap;
      if (session.state === SessionState.Terminated) break;
    }
    obs.mediaSec = (performance.now() - mediaStart) / 1000;
    meter?.close();
    if (!hooks.playback) sink.srcObject = null;
    state('hanging-up');
    return await hangUp(session, ua, audio, finish(hooks.signal.aborted ? 'cancelled' : null));
  } catch (err) {
    return await hangUp(session, ua, audio, finish('error', (err as Error).message));
  }
}

async function register(ua: UserAgent): Promise<NonNullable<WebrtcResult['registration']>> {
  const registerer = new Registerer(ua, { expires: 300 });
  return new Promise((resolve) => {
    const done = (ok: boolean, r?: IncomingResponse, why?: string) =>
      resolve({
        ok,
        status: r?.message.statusCode ?? null,
        reason: r ? `${r.message.statusCode} ${r.message.reasonPhrase}` : (why ?? 'no response'),
      });
    registerer
      .register({ requestDelegate: { onAccept: (r) => done(true, r), onReject: (r) => done(false, r) } })
      .catch((e: Error) => done(false, undefined, e.message));
  });
}

interface Answer {
  ok: boolean;
  status: number | null;
  reason: string | null;
}

function invite(
  s: Inviter,
  timeoutMs: number,
  signal: AbortSignal,
  onProgress: (r: IncomingResponse) => void,
): Promise<Answer> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (a: Answer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(a);
    };
    const timer = setTimeout(() => {
      void s.cancel().catch(() => undefined);
      settle({ ok: false, status: null, reason: 'no answer' });
    }, timeoutMs);
    signal.addEventListener('abort', () => {
      void s.cancel().catch(() => undefined);
      settle({ ok: false, status: null, reason: 'cancelled' });
    });
    const ofResponse = (ok: boolean, r: IncomingResponse) =>
      settle({ ok, status: r.message.statusCode ?? null, reason: r.message.reasonPhrase ?? null });
    s.invite({
      requestDelegate: {
        onProgress: (r) => (r.message.statusCode ?? 0) > 100 && onProgress(r),
        onAccept: (r) => ofResponse(true, r),
        onReject: (r) => ofResponse(false, r),
      },
    }).catch((e: Error) => settle({ ok: false, status: null, reason: e.message }));
  });
}

async function hangUp(
  s: Inviter | null,
  ua: UserAgent,
  audio: { stop(): void },
  result: WebrtcResult,
): Promise<WebrtcResult> {
  if (s?.state === SessionState.Established) await s.bye().catch(() => undefined);
  audio.stop();
  // ua.stop() unregisters and closes the WebSocket; a gateway that stays silent must not hold us.
  await Promise.race([ua.stop().catch(() => undefined), new Promise((r) => setTimeout(r, 3000))]);
  return result;
}
