import { z } from 'zod';
import { HostPortSchema, SipUriSchema } from './common.ts';
import { RelayConfigSchema, RelayUsedSchema } from './relay-config.ts';
import { WebSocketSummarySchema } from './websocket.ts';

/**
 * Contract for the "Echo test" step: NatScope places a SIP call to an echo service, sends a test
 * signal over RTP, measures what comes back and explains what failed. One method runs the whole
 * test and streams its progress:
 *
 *   'call.echoTest'  input CallEchoInput → events CallEvent* → output CallResult
 *
 * Events, in order: `started` (ids and local addresses), `state` transitions, `sip` (each message
 * sent or received, redacted), `stats` about once a second while media flows, `finding` as soon as
 * a problem is seen. Cancelling the request hangs up (CANCEL or BYE) and still resolves with a
 * result whose endReason is "cancelled". Passwords never appear in any event, result or log:
 * Authorization / Proxy-Authorization values are replaced by "[redacted]".
 *
 * Audio for "hear yourself" (later): with `audio: 'external'` the service sends frames pushed via
 * 'call.pushAudio' (G.711, 160 bytes = 20 ms, base64) instead of the test signal, and with
 * `echoAudio: true` it streams the echoed payloads back as `audio` events for Web Audio playback.
 */

export const SipTransportSchema = z.enum(['udp', 'tcp', 'tls', 'ws', 'wss']);
export type SipTransportName = z.infer<typeof SipTransportSchema>;

export const AdvertiseModeSchema = z.enum(['local', 'stun']);

/**
 * Echo services offered as presets in the UI (FreeSWITCH's public conference server). A delayed
 * echo (9195: FreeSWITCH's `delay_echo 5000`) holds the audio `echoDelayMs` before sending it
 * back: a call to it uses that as its expected echo delay.
 */
export const ECHO_PRESETS = [
  {
    id: 'fs-echo',
    label: 'FreeSWITCH echo (9196)',
    uri: 'sip:9196@conference.freeswitch.org',
    echoDelayMs: 0,
  },
  {
    id: 'fs-delay-echo',
    label: 'FreeSWITCH delayed echo (9195)',
    uri: 'sip:9195@conference.freeswitch.org',
    echoDelayMs: 5000,
  },
] as const;

/** The expected echo delay of a preset target, else 0. */
export function presetEchoDelayMs(target: string): number {
  const t = target.toLowerCase().replace(/^sips?:/, '');
  return ECHO_PRESETS.find((p) => p.uri.replace(/^sip:/, '') === t)?.echoDelayMs ?? 0;
}

const hostPort = HostPortSchema;

export const SipAccountSchema = z
  .object({
    /** Registrar host[:port]; also the domain of the address of record unless `domain` is set. */
    registrar: hostPort,
    domain: z.string().min(1).max(255).optional(),
    username: z.string().min(1).max(128),
    /** Digest user name when it differs from `username`. */
    authUsername: z.string().min(1).max(128).optional(),
    /** Kept in memory for this test only; never logged, returned or reported. */
    password: z.string().max(256),
    /** Register before calling (default true). */
    register: z.boolean().default(true),
  })
  .strict();
export type SipAccountInput = z.input<typeof SipAccountSchema>;

export const CallEchoInputSchema = z
  .object({
    /** sip: or sips: URI of the echo service, e.g. sip:9196@conference.freeswitch.org. */
    target: SipUriSchema,
    transport: SipTransportSchema.default('udp'),
    /** Next hop for every request instead of the target's host (host[:port]). */
    outboundProxy: hostPort.optional(),
    account: SipAccountSchema.optional(),
    /** Seconds of media after the answer. */
    durationSec: z.number().min(1).max(600).default(10),
    /** What Contact and SDP advertise: the local address, or the STUN-mapped one. */
    advertise: AdvertiseModeSchema.default('local'),
    /** STUN server host[:port] (needed for advertise = "stun"). */
    stunServer: hostPort.optional(),
    /** Local address to bind (default: the one the OS routes to the server from). */
    localAddress: z.string().max(64).optional(),
    /** Local SIP port (default: any). */
    localSipPort: z.number().int().min(1).max(65535).optional(),
    /** RTP/RTCP port range, like FreeSWITCH's rtp-start-port / rtp-end-port. */
    rtpPortRange: z
      .object({ start: z.number().int().min(1024).max(65534), end: z.number().int().min(1025).max(65535) })
      .strict()
      .refine((r) => r.end > r.start, 'end must be above start')
      .default({ start: 16384, end: 32767 }),
    /** SIP over WebSocket (RFC 7118): the gateway's ws:// or wss:// URL; the transport follows its scheme. */
    wsUrl: z
      .string()
      .max(2048)
      .regex(/^wss?:\/\/[^\s#]+$/i, 'must be a ws:// or wss:// URL')
      .optional(),
    /** Extra CA certificate (PEM) trusted for TLS / WSS; verification is always on. */
    tlsCaPem: z.string().max(65536).optional(),
    /** The outgoing audio: the built-in marker test signal, or frames pushed via 'call.pushAudio'. */
    audio: z.enum(['test-signal', 'external']).default('test-signal'),
    /** Stream echoed audio payloads as `audio` events (for playback in the UI). */
    echoAudio: z.boolean().default(false),
    /** How long to wait for an answer once the far end rings (a provisional response came). */
    answerTimeoutSec: z.number().min(1).max(120).default(30),
    /** Send RTP/RTCP through this TURN relay (the SDP then advertises the relayed addresses). */
    relay: RelayConfigSchema.optional(),
    /**
     * The deliberate delay of a delayed echo (e.g. 5000 for FreeSWITCH 9195), ms. One-way audio is
     * then only declared after this delay plus a margin. Default: the preset's, else 0.
     */
    expectedEchoDelayMs: z.number().min(0).max(30_000).optional(),
  })
  .strict();
export type CallEchoInput = z.input<typeof CallEchoInputSchema>;

export const CallStateSchema = z.enum([
  'preparing', // binding sockets, resolving, STUN
  'registering',
  'registered',
  'calling', // INVITE sent
  'ringing', // 180 / 183
  'answered', // 2xx + ACK
  'media', // RTP flowing (first echo received)
  'hanging-up',
  'ended',
  'failed',
]);
export type CallState = z.infer<typeof CallStateSchema>;

export const SipLogEntrySchema = z.object({
  index: z.number().int(),
  direction: z.enum(['sent', 'received']),
  /** ms since the test started. */
  atMs: z.number(),
  transport: z.string(),
  local: z.string(),
  remote: z.string(),
  /** First line: "INVITE sip:…" or "200 OK". */
  summary: z.string(),
  method: z.string().nullable(),
  status: z.number().int().nullable(),
  cseq: z.string().nullable(),
  callId: z.string().nullable(),
  retransmission: z.boolean(),
  /** Full message text, Authorization / Proxy-Authorization redacted. */
  raw: z.string(),
});
export type SipLogEntryDto = z.infer<typeof SipLogEntrySchema>;

/** The E-model inputs that differ from G.107 defaults, and its outputs (shared/model/emodel.ts). */
export const EModelSummarySchema = z.object({
  R: z.number(),
  mos: z.number(),
  inputs: z.object({
    /** Mouth-to-ear delay estimate, ms: RTT/2 + packetization (20) + jitter buffer (2 × jitter). */
    Ta: z.number(),
    /** The network RTT it used (never the echo's deliberate delay); null: unknown, counted as 0. */
    rttMs: z.number().nullable(),
    T: z.number(),
    Tr: z.number(),
    Ppl: z.number(),
    BurstR: z.number(),
    Ie: z.number(),
    Bpl: z.number(),
    codec: z.enum(['pcmu', 'pcma']),
  }),
  /** Components of R: Ro − Is − Id − Ie,eff + A. */
  Ro: z.number(),
  Is: z.number(),
  Id: z.number(),
  IeEff: z.number(),
});
export type EModelSummary = z.infer<typeof EModelSummarySchema>;

export const RtpStatsSchema = z.object({
  /** Seconds since media started. */
  elapsedSec: z.number(),
  sent: z.number().int(),
  received: z.number().int(),
  /**
   * Loss per direction, %. RFC 3550 loss (sequence gaps) of the stream coming back; when the echo
   * reflects our own packets (lossBasis "round-trip-split") the gaps are out-and-back loss, split
   * evenly over both legs: 1 − √(1 − round-trip loss).
   */
  lossPercent: z.number(),
  lossBasis: z.enum(['return-stream', 'round-trip-split']),
  /** RFC 3550 loss of the returned stream as measured (sequence gaps). */
  streamLossPercent: z.number(),
  /** 1 − received / sent (packets whose echo was due): loss out and back together. */
  roundTripLossPercent: z.number().nullable(),
  /** Loss of our stream as the far end reported it in RTCP (null without RTCP). */
  remoteReportedLossPercent: z.number().nullable(),
  duplicates: z.number().int(),
  reordered: z.number().int(),
  /** RFC 3550 interarrival jitter of the returned stream (both legs for a reflecting echo). */
  jitterMs: z.number().nullable(),
  /**
   * Network round-trip time, from `rttSource` (electron/engine/rtp/rtt-estimate.ts): the most direct
   * source that is physically consistent with the others. Null when no source can tell the network
   * apart (e.g. a delayed echo that sends no RTCP and does not reflect our packets).
   */
  rttMs: z.number().nullable(),
  rttSource: z.enum(['rtcp', 'echoed-packets', 'audio-markers']).nullable(),
  /**
   * Whether the RTT sources (RTCP, echoed packets, audio markers) tell the same story: `agree`,
   * `disagree` (one was discarded, see rttDisagreement), `single-source` or `none`.
   */
  rttAgreement: z.enum(['agree', 'disagree', 'single-source', 'none']),
  /** What disagreed or could not be measured, and what was done about it. */
  rttDisagreement: z.string().nullable(),
  rtcpRttMs: z.number().nullable(),
  echoRttMs: z.number().nullable(),
  /** Round-trip audio latency measured with the test signal's markers (what you would hear). */
  audioLatencyMs: z.number().nullable(),
  /**
   * The time the echo service itself held the audio: audio latency minus the network RTT (its jitter
   * buffer; about 5000 for a 5 s delayed echo). When the network RTT is unknown it is the whole
   * audio latency.
   */
  echoDelayMs: z.number().nullable(),
  /** The deliberate delay the echo service was expected to add (a delayed-echo preset), ms. */
  expectedEchoDelayMs: z.number(),
  mos: z.number().nullable(),
  emodel: EModelSummarySchema.nullable(),
  rtcpSent: z.number().int(),
  rtcpReceived: z.number().int(),
});
export type RtpStats = z.infer<typeof RtpStatsSchema>;

export const FindingSchema = z.object({
  code: z.enum([
    'one-way-audio',
    'no-audio',
    'rtp-source-mismatch',
    'ack-not-received',
    'private-address-in-sdp',
    'private-contact',
    'nat-detected-signaling',
    'register-failed',
    'auth-failed',
    'call-rejected',
    'no-sip-response',
    'high-loss',
    'high-jitter',
    'high-latency',
    'call-dropped',
    'rtcp-missing',
    'stun-failed',
    'websocket-blocked',
    'websocket-closed',
    'sip-unreachable', // ICMP port / host unreachable for our SIP
    'no-answer', // it rang, nobody answered; we cancelled
    'bye-failed', // our BYE got no (or a failure) response
    'rtp-other-address', // RTP from another address of the far end's host (multi-homed), not a NAT
    'rtt-sources-disagree',
    'echo-delay', // the echo service delays the audio on purpose
    'test-shorter-than-echo-delay',
    'media-moved', // a re-INVITE / UPDATE moved the media
    'on-hold',
  ]),
  severity: z.enum(['info', 'warning', 'error']),
  message: z.string(),
});
export type Finding = z.infer<typeof FindingSchema>;

export const MediaChangeSchema = z.object({
  /** Seconds since media started. */
  atSec: z.number(),
  /** What carried the new offer or answer: a re-INVITE, an UPDATE, or the ACK (offerless re-INVITE). */
  by: z.enum(['re-invite', 'update', 'ack']),
  /** Where our RTP goes from then on. */
  remoteRtp: z.string(),
  /** Our direction from then on (recvonly / inactive: held, we do not send). */
  direction: z.enum(['sendrecv', 'sendonly', 'recvonly', 'inactive']),
  codec: z.enum(['pcmu', 'pcma']),
});
export type MediaChange = z.infer<typeof MediaChangeSchema>;

export const CallResultSchema = z.object({
  target: z.string(),
  /** The TURN relay the media went through (absent for a direct call). */
  relay: RelayUsedSchema.optional(),
  transport: SipTransportSchema,
  answered: z.boolean(),
  /** Final response to the INVITE (null: none arrived). */
  sipStatus: z.number().int().nullable(),
  sipReason: z.string().nullable(),
  endReason: z.enum([
    'completed',
    'remote-bye',
    'rejected',
    'no-response',
    'no-answer',
    'cancelled',
    'register-failed',
    'auth-failed',
    'transport-error',
    'unreachable', // ICMP port or host unreachable
    'error',
  ]),
  registration: z
    .object({
      ok: z.boolean(),
      status: z.number().int().nullable(),
      reason: z.string(),
      expires: z.number().nullable(),
      authAlgorithm: z.string().nullable(),
      unregistered: z.boolean(),
    })
    .nullable(),
  signaling: z.object({
    local: z.string(),
    server: z.string(),
    contact: z.string(),
    /** What the server saw as our address (Via received / rport), when it said. */
    viaReceived: z.string().nullable(),
    /** 2xx repeats after our ACK (the server did not get the ACK). */
    okRetransmissions: z.number().int(),
  }),
  media: z
    .object({
      codec: z.enum(['pcmu', 'pcma']),
      localRtp: z.string(),
      advertisedRtp: z.string(),
      advertise: AdvertiseModeSchema,
      /** Where the SDP answer said to send RTP. */
      remoteSdpRtp: z.string(),
      /** Where RTP actually came from. */
      remoteActualRtp: z.array(z.object({ endpoint: z.string(), packets: z.number().int() })),
      sourceMismatch: z.boolean(),
      durationSec: z.number(),
      /** Mid-call offer/answer exchanges that changed the media (RFC 3264 §8), in order. */
      changes: z.array(MediaChangeSchema),
      /** Seconds the far end held the call (we were told not to send, RFC 3264 §8.4). */
      heldSec: z.number(),
    })
    .nullable(),
  rtp: RtpStatsSchema.nullable(),
  oneWayAudio: z.boolean(),
  findings: z.array(FindingSchema),
  messages: z.array(SipLogEntrySchema),
  /** Over ws/wss: the WebSocket's opening and close (contracts/websocket.ts). */
  websocket: WebSocketSummarySchema.optional(),
});
export type CallResult = z.infer<typeof CallResultSchema>;

export const CallEventSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('started'),
    /** Id for 'call.pushAudio'. */
    callId: z.string(),
    local: z.string(),
    transport: SipTransportSchema,
  }),
  z.object({
    kind: z.literal('state'),
    state: CallStateSchema,
    atMs: z.number(),
    detail: z.string().optional(),
  }),
  z.object({ kind: z.literal('sip'), message: SipLogEntrySchema }),
  z.object({ kind: z.literal('stats'), stats: RtpStatsSchema }),
  z.object({ kind: z.literal('finding'), finding: FindingSchema }),
  z.object({
    kind: z.literal('audio'),
    /** G.711 payload (base64), 20 ms. */
    payload: z.string(),
    codec: z.enum(['pcmu', 'pcma']),
    sequence: z.number().int(),
  }),
]);
export type CallEvent = z.infer<typeof CallEventSchema>;

export const PushAudioInputSchema = z
  .object({
    callId: z.string().min(1).max(64),
    /** One or more 20 ms G.711 frames (160 bytes each), base64, in the call's codec. */
    frames: z.array(z.string().max(400)).min(1).max(50),
  })
  .strict();

export const callMethods = {
  'call.echoTest': { input: CallEchoInputSchema, output: CallResultSchema, event: CallEventSchema },
  'call.pushAudio': {
    input: PushAudioInputSchema,
    output: z.object({ accepted: z.number().int() }),
    event: z.never(),
  },
};
