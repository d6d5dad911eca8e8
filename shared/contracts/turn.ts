import { z } from 'zod';
import { DiagnosisFindingSchema } from './finding.ts';
import { FilteringBehaviourSchema, MappingBehaviourSchema } from './nat.ts';

/**
 * Contract for "Would a relay fix it?" (`natscope turn`, the NAT step's Relay card): a TURN
 * allocation (RFC 8656) over UDP, TCP or TLS with long-term or REST credentials, the ICE-style
 * candidate summary (host, server-reflexive, relayed; which a peer on the internet could reach given
 * the measured NAT behaviour), and findings relay-works / relay-needed / relay-unreachable.
 *
 *   'turn.test'  TurnTestInput → events TurnEvent* → TurnReport
 *
 * Passwords and shared secrets are used in memory only: never in an event, result, log or report.
 */
export const TurnTransportSchema = z.enum(['udp', 'tcp', 'tls']);
export type TurnTransportName = z.infer<typeof TurnTransportSchema>;

/** What the NAT step measured, so candidates can be judged; absent fields read as unknown. */
export const NatFactsSchema = z
  .object({
    mapping: MappingBehaviourSchema.nullable().optional(),
    filtering: FilteringBehaviourSchema.nullable().optional(),
    natDetected: z.boolean().nullable().optional(),
    udpBlocked: z.boolean().nullable().optional(),
    /** The NAT step's server-reflexive address ("ip:port") and the STUN server that saw it. */
    mappedAddress: z.string().max(64).nullable().optional(),
    stunServer: z.string().max(300).nullable().optional(),
  })
  .strict();
export type NatFacts = z.infer<typeof NatFactsSchema>;

export const TurnTestInputSchema = z
  .object({
    /** TURN server host[:port] (default port 3478, 5349 for TLS). */
    server: z.string().min(1).max(300),
    transport: TurnTransportSchema.default('udp'),
    /** Static long-term credentials. */
    username: z.string().min(1).max(256).optional(),
    password: z.string().max(256).optional(),
    /** coturn use-auth-secret shared secret: NatScope derives time-limited REST credentials. */
    secret: z.string().min(1).max(256).optional(),
    /** The realm the credentials belong to; another realm from the server is an error. */
    realm: z.string().min(1).max(256).optional(),
    /** Relayed transport: UDP (media) or TCP (RFC 6062). */
    relay: z.enum(['udp', 'tcp']).default('udp'),
    lifetimeSeconds: z.number().int().min(0).max(3600).optional(),
    /** Extra CA certificate (PEM) trusted for TLS; verification is always on. */
    tlsCaPem: z.string().max(65536).optional(),
    localAddress: z.string().max(64).optional(),
    /** Give up a transaction after this long (ms). */
    timeoutMs: z.number().int().min(200).max(30_000).default(5000),
    nat: NatFactsSchema.optional(),
    /** Echo service to call direct and then with the media through the relay. */
    echoUri: z
      .string()
      .regex(/^sips?:/i, 'must be a sip: or sips: URI')
      .max(512)
      .optional(),
    /** SIP transport of the echo calls (signalling goes direct; TCP/TLS where UDP is blocked). */
    echoTransport: z.enum(['udp', 'tcp', 'tls']).default('udp'),
    echoSeconds: z.number().min(1).max(60).default(8),
    /** Extra CA (PEM) for SIP over TLS to the echo service. */
    echoCaPem: z.string().max(65536).optional(),
  })
  .strict()
  .refine(
    (i) => !(i.secret !== undefined && i.password !== undefined),
    'give a password or a shared secret, not both',
  )
  .refine((i) => i.secret !== undefined || (i.username !== undefined && i.password !== undefined), {
    message: 'credentials needed: --user and --password, or --secret',
  });
export type TurnTestInput = z.input<typeof TurnTestInputSchema>;

export const CandidateSchema = z.object({
  type: z.enum(['host', 'srflx', 'relay']),
  /** The candidate's own transport (what a peer sends to it). */
  transport: z.enum(['udp', 'tcp']),
  address: z.string(),
  /** How it was learnt: an interface, a STUN Binding, a TURN Allocate (and over which transport). */
  source: z.string(),
  gatherMs: z.number().nullable(),
  /** Could a peer on the internet reach it? yes / after-outbound (only once we sent to that peer) / no / unknown. */
  reachable: z.enum(['yes', 'after-outbound', 'no', 'unknown']),
  why: z.string(),
});
export type Candidate = z.infer<typeof CandidateSchema>;

export const TurnTimingsSchema = z.object({
  /** TCP connect + TLS handshake (0 for UDP). */
  connectMs: z.number().nullable(),
  /** First Allocate sent → allocation granted (includes the 401 challenge round trip). */
  allocateMs: z.number().nullable(),
  /** Round trip of the first (unauthenticated) Allocate. */
  firstRttMs: z.number().nullable(),
  totalMs: z.number(),
});

const EchoRtpSchema = z
  .object({
    sent: z.number(),
    received: z.number(),
    lossPercent: z.number().nullable(),
    jitterMs: z.number().nullable(),
    rttMs: z.number().nullable(),
    mos: z.number().nullable(),
  })
  .nullable();

/** The echo call through the relay (top level) and the same call direct, measured the same way. */
export const TurnEchoSchema = z.object({
  target: z.string(),
  answered: z.boolean(),
  rtp: EchoRtpSchema,
  oneWayAudio: z.boolean(),
  /** The relayed RTP/RTCP addresses the SDP advertised. */
  relayedRtp: z.string().nullable(),
  relayedRtcp: z.string().nullable(),
  /** The direct call's verdict beside it. */
  direct: z
    .object({
      answered: z.boolean(),
      oneWayAudio: z.boolean(),
      mos: z.number().nullable(),
      rtp: EchoRtpSchema,
      summary: z.string(),
    })
    .nullable(),
  /** "direct: one-way audio; through relay: MOS 4.3, loss 0.0 %" */
  summary: z.string(),
});

export const TurnReportSchema = z.object({
  server: z.string(),
  transport: TurnTransportSchema,
  relay: z.enum(['udp', 'tcp']),
  allocated: z.boolean(),
  relayedAddress: z.string().nullable(),
  mappedAddress: z.string().nullable(),
  lifetimeSeconds: z.number().nullable(),
  realm: z.string().nullable(),
  passwordAlgorithm: z.enum(['md5', 'sha256']).nullable(),
  credentials: z.enum(['static', 'rest']),
  /** REST credentials: the generated user name (never the password). */
  username: z.string().nullable(),
  timings: TurnTimingsSchema,
  error: z.object({ code: z.string(), stunCode: z.number().nullable(), message: z.string() }).nullable(),
  candidates: z.array(CandidateSchema),
  echo: TurnEchoSchema.nullable(),
  transactions: z.array(
    z.object({ method: z.string(), outcome: z.string(), rttMs: z.number().nullable(), atMs: z.number() }),
  ),
  findings: z.array(DiagnosisFindingSchema),
  warnings: z.array(z.string()),
});
export type TurnReport = z.infer<typeof TurnReportSchema>;

export const TurnEventSchema = z.object({
  kind: z.literal('step'),
  step: z.enum(['connect', 'allocate', 'candidates', 'echo', 'done']),
  status: z.enum(['running', 'done', 'failed']),
  summary: z.string(),
});
export type TurnEvent = z.infer<typeof TurnEventSchema>;

export const turnMethods = {
  'turn.test': { input: TurnTestInputSchema, output: TurnReportSchema, event: TurnEventSchema },
};
