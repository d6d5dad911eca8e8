import { z } from 'zod';
import { EModelSummarySchema } from './call.ts';
import { SipUriSchema } from './common.ts';
import { DiagnosisFindingSchema } from './finding.ts';
import { WebSocketSummarySchema } from './websocket.ts';

/**
 * Contract for the WebRTC echo: a real browser call (SIP.js with its WebRTC session description
 * handler, ICE, DTLS-SRTP) over SIP over WebSocket to an echo extension. It runs in the renderer
 * (Electron is Chromium; web mode runs in the user's browser) or headless through Playwright
 * (`natscope webrtc`); either way it produces a WebrtcResult. The host side offers one method: a
 * probe of the WebSocket URL with NatScope's own client, because a browser hides the HTTP status
 * of a refused upgrade (it only says 1006).
 *
 *   'websocket.probe'  input {url, caPem?} → WebSocketSummary
 */

const WsUrlSchema = z
  .string()
  .max(2048)
  .regex(/^wss?:\/\/[^\s#]+$/i, 'must be a ws:// or wss:// URL');

export const IceServerSchema = z
  .object({
    urls: z
      .array(
        z
          .string()
          .max(512)
          .regex(/^(stun|stuns|turn|turns):[^\s]+$/i, 'must be a stun:, stuns:, turn: or turns: URL'),
      )
      .min(1)
      .max(4),
    username: z.string().max(256).optional(),
    /** Kept in memory for this test only; never in a result, event or report. */
    credential: z.string().max(256).optional(),
  })
  .strict();
export type IceServer = z.infer<typeof IceServerSchema>;

export const WebrtcEchoInputSchema = z
  .object({
    /** The gateway's SIP WebSocket, e.g. wss://pbx.example.com:8089/ws. */
    wsUrl: WsUrlSchema,
    /** The echo extension, e.g. sip:9196@pbx.example.com. */
    target: SipUriSchema,
    account: z
      .object({
        username: z.string().min(1).max(128),
        authUsername: z.string().min(1).max(128).optional(),
        password: z.string().max(256),
        /** Domain of the address of record (default: the target's host). */
        domain: z.string().min(1).max(255).optional(),
        register: z.boolean().default(true),
      })
      .strict()
      .optional(),
    iceServers: z.array(IceServerSchema).max(4).default([]),
    /** "relay": only TURN candidates (tests the relay alone). */
    iceTransportPolicy: z.enum(['all', 'relay']).default('all'),
    /** Seconds of audio once media flows. */
    durationSec: z.number().min(2).max(120).default(10),
    /** Seconds for ICE + DTLS to connect once the call is answered. */
    connectTimeoutSec: z.number().min(2).max(60).default(15),
    /** The outgoing audio: the microphone, or a test tone made in the page. */
    audio: z.enum(['microphone', 'tone']).default('microphone'),
  })
  .strict();
export type WebrtcEchoInput = z.input<typeof WebrtcEchoInputSchema>;

export const CandidateTypeSchema = z.enum(['host', 'srflx', 'prflx', 'relay']);

export const CandidateSchema = z.object({
  type: CandidateTypeSchema,
  protocol: z.enum(['udp', 'tcp']),
  address: z.string().nullable(),
  port: z.number().int().nullable(),
  /** For relay candidates: how the browser reaches the TURN server. */
  relayProtocol: z.enum(['udp', 'tcp', 'tls']).nullable(),
});
export type Candidate = z.infer<typeof CandidateSchema>;

export const WebrtcSampleSchema = z.object({
  elapsedSec: z.number(),
  packetsSent: z.number().int(),
  packetsReceived: z.number().int(),
  /** Loss of the returning stream in this interval, %. */
  lossPercent: z.number().nullable(),
  /** RFC 3550 interarrival jitter of the returning stream (inbound-rtp), ms. */
  jitterMs: z.number().nullable(),
  /** ICE round-trip time of the chosen candidate pair (STUN consent checks), ms. */
  rttMs: z.number().nullable(),
  mos: z.number().nullable(),
  /** Level of the echoed audio, 0..1 (inbound-rtp audioLevel). */
  audioLevel: z.number().nullable(),
});
export type WebrtcSample = z.infer<typeof WebrtcSampleSchema>;

export const WebrtcOutcomeSchema = z.enum([
  'ok',
  'websocket-failed',
  'register-failed',
  'call-failed',
  'ice-failed',
  'dtls-failed',
  'no-audio',
  'cancelled',
  'error',
]);

export const WebrtcResultSchema = z.object({
  wsUrl: z.string(),
  target: z.string(),
  outcome: WebrtcOutcomeSchema,
  /**
   * The browser's WebSocket. Browsers hide why an upgrade failed (close code 1006 only), so after a
   * failure this is NatScope's own probe of the same URL; `failedAt` stays null when nothing could tell.
   */
  websocket: WebSocketSummarySchema,
  registration: z
    .object({ ok: z.boolean(), status: z.number().int().nullable(), reason: z.string() })
    .nullable(),
  sip: z.object({ status: z.number().int().nullable(), reason: z.string().nullable() }),
  ice: z.object({
    /** STUN/TURN URLs used (credentials never included). */
    servers: z.array(z.string()),
    policy: z.enum(['all', 'relay']),
    /** Local candidates gathered, by type. */
    gathered: z.object({
      host: z.number().int(),
      srflx: z.number().int(),
      prflx: z.number().int(),
      relay: z.number().int(),
    }),
    localCandidates: z.array(CandidateSchema),
    /** STUN/TURN servers the browser could not use (icecandidateerror). */
    serverErrors: z.array(z.object({ url: z.string(), code: z.number().int(), text: z.string() })),
    /** Final states: RTCPeerConnection.iceConnectionState / connectionState. */
    iceState: z.string().nullable(),
    connectionState: z.string().nullable(),
    /** The chosen (nominated) candidate pair. */
    selectedPair: z
      .object({ local: CandidateSchema, remote: CandidateSchema, rttMs: z.number().nullable() })
      .nullable(),
    /** ms from the answer to ICE connected (null: never). */
    connectedAfterMs: z.number().nullable(),
  }),
  dtls: z.object({
    /** RTCDtlsTransport state: new, connecting, connected, closed, failed. */
    state: z.string().nullable(),
    srtpCipher: z.string().nullable(),
    tlsVersion: z.string().nullable(),
  }),
  audio: z.object({
    source: z.enum(['microphone', 'tone']),
    /** Negotiated codec (the test offers G.711 only, so MOS uses the SIP echo's E-model). */
    codec: z.string().nullable(),
    packetsSent: z.number().int(),
    packetsReceived: z.number().int(),
    /** Energy of what was sent (media-source totalAudioEnergy): a muted microphone stays near 0. */
    sentEnergy: z.number().nullable(),
    /**
     * Peak level of the echo that came back, 0..1 (inbound-rtp audioLevel, or the page's own meter
     * on the decoded stream where the browser does not play it out): silence stays near 0.
     */
    echoPeakLevel: z.number().nullable(),
    /** Audio came back with sound in it, not only packets. */
    echoHeard: z.boolean(),
  }),
  /** Final figures over the whole call, and MOS from the same E-model as the SIP echo. */
  stats: z
    .object({
      lossPercent: z.number().nullable(),
      jitterMs: z.number().nullable(),
      rttMs: z.number().nullable(),
      mos: z.number().nullable(),
      emodel: EModelSummarySchema.nullable(),
    })
    .nullable(),
  samples: z.array(WebrtcSampleSchema).max(200),
  /** The diagnosis of this result alone (the same rules and advice as natscope diagnose). */
  findings: z.array(DiagnosisFindingSchema),
  mediaSec: z.number(),
  /** The browser that ran the test (navigator.userAgent). */
  browser: z.string(),
});
export type WebrtcResult = z.infer<typeof WebrtcResultSchema>;

export const WebrtcStateSchema = z.enum([
  'connecting', // opening the SIP WebSocket
  'registering',
  'registered',
  'calling',
  'ringing',
  'answered', // 200 OK: ICE and DTLS start
  'connected', // ICE + DTLS up
  'media', // audio flowing
  'hanging-up',
  'ended',
  'failed',
]);
export type WebrtcState = z.infer<typeof WebrtcStateSchema>;

/** Live events of a WebRTC echo run (the UI's charts, the CLI's progress lines). */
export const WebrtcEventSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('state'),
    state: WebrtcStateSchema,
    atMs: z.number(),
    detail: z.string().optional(),
  }),
  z.object({ kind: z.literal('candidate'), candidate: CandidateSchema }),
  z.object({
    kind: z.literal('pair'),
    local: CandidateSchema,
    remote: CandidateSchema,
  }),
  z.object({ kind: z.literal('sample'), sample: WebrtcSampleSchema }),
]);
export type WebrtcEvent = z.infer<typeof WebrtcEventSchema>;

export const WebSocketProbeInputSchema = z
  .object({
    url: WsUrlSchema,
    /** Extra CA (PEM) for wss:, like --ca; verification is always on. */
    caPem: z.string().max(65536).optional(),
  })
  .strict();

export const webrtcMethods = {
  'websocket.probe': { input: WebSocketProbeInputSchema, output: WebSocketSummarySchema, event: z.never() },
};
