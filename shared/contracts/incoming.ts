import { z } from 'zod';
import { SipLogEntrySchema } from './call.ts';
import { DiagnosisFindingSchema } from './finding.ts';

/**
 * Contract for the inbound-call test ("I can call out but get no incoming calls"):
 *
 *   'incoming.test'  input IncomingInput → events IncomingEvent* → output IncomingResult
 *
 * Companion mode (no account): one registration per idle time, each on its own socket or
 * connection, asks a `natscope server` to call back after that idle time (`X-NatScope-Callback`);
 * the INVITE must arrive on the registration's own flow. All idle times run in parallel, together
 * with keep-alive runs that repeat the longest idle time with keep-alives on, and the STUN binding
 * lifetime on a random port and on local port 5060. PBX mode (an account): one registration with
 * the user's own PBX, then "call this extension now" — the service waits for the INVITE.
 */

/** The companion server calls back after at most this many seconds. */
export const MAX_CALLBACK_IDLE_SECONDS = 120;
export const DEFAULT_IDLE_SECONDS = [15, 30, 60, 90, 120] as const;

export const IncomingTransportSchema = z.enum(['udp', 'tcp', 'tls']);
export const KeepAliveMethodSchema = z.enum(['crlf', 'options']);

export const IncomingAccountSchema = z
  .object({
    username: z.string().min(1).max(128),
    authUsername: z.string().min(1).max(128).optional(),
    /** Kept in memory for this test only; never logged, returned or reported. */
    password: z.string().max(256),
    /** Domain of the address of record (default: the server's host). */
    domain: z.string().min(1).max(255).optional(),
  })
  .strict();

export const IncomingInputSchema = z
  .object({
    /** The companion server, or (with `account`) the user's own PBX: host[:port]. */
    server: z.string().min(1).max(300),
    transport: IncomingTransportSchema.default('udp'),
    /**
     * Silences to test, in seconds; each gets its own registration. Companion mode: 1–120 s,
     * default 15, 30, 60, 90, 120. PBX mode: one silence before "call now" (default 0).
     */
    idleSeconds: z.array(z.number().int().min(0).max(3600)).min(1).max(8).optional(),
    /** Keep-alive interval for the keep-alive check; default: the recommended one. */
    keepAliveSeconds: z.number().int().min(1).max(600).optional(),
    keepAliveMethod: KeepAliveMethodSchema.default('crlf'),
    /** Repeat the longest idle time with keep-alives on (companion mode). */
    keepAliveCheck: z.boolean().default(true),
    /** STUN server for the binding-lifetime comparison (default: the companion's host, port 3478). */
    stunServer: z.string().min(1).max(300).optional(),
    /** Compare with STUN binding lifetimes (UDP only). */
    stunCompare: z.boolean().default(true),
    /** PBX mode: register this account and wait for a call to it. */
    account: IncomingAccountSchema.optional(),
    /** PBX mode: how long to wait for the call after asking for it. */
    waitSeconds: z.number().int().min(5).max(600).default(120),
    localAddress: z.string().max(64).optional(),
    /** Extra CA certificate (PEM) trusted for TLS; verification is always on. */
    tlsCaPem: z.string().max(65536).optional(),
  })
  .strict();
export type IncomingInput = z.input<typeof IncomingInputSchema>;

export const IncomingOutcomeSchema = z.enum([
  'arrived',
  /** Registered, stayed silent, no INVITE came within the wait. */
  'missed',
  /** The connection closed during the silence (TCP/TLS): no call can come over it. */
  'connection-closed',
  'register-failed',
  'cancelled',
  'error',
]);

export const IncomingTestSchema = z.object({
  idleSeconds: z.number(),
  /** null when the probe could not tell (registration failed, cancelled). */
  received: z.boolean().nullable(),
  /** From the end of the registration (start of the silence) to the INVITE. */
  arrivedAfterMs: z.number().nullable(),
  /** Where the INVITE came from ("ip:port"). */
  from: z.string().nullable(),
  /** Our socket (UDP) or our end of the connection the registration and the INVITE used. */
  localSocket: z.string().nullable(),
  /** What the server saw as our address (Via received/rport), i.e. the NAT mapping. */
  mappedAddress: z.string().nullable(),
  outcome: IncomingOutcomeSchema,
  detail: z.string().nullable(),
});
export type IncomingTest = z.infer<typeof IncomingTestSchema>;

export const KeepAliveRunSchema = IncomingTestSchema.extend({
  method: KeepAliveMethodSchema,
  intervalSeconds: z.number(),
  sent: z.number().int(),
  /** CRLF pongs or OPTIONS answers. */
  pongs: z.number().int(),
  /** TCP/TLS pings without a pong within 10 s (RFC 5626 §4.4.1); null over UDP. */
  pongsMissed: z.number().int().nullable(),
});
export type KeepAliveRun = z.infer<typeof KeepAliveRunSchema>;

export const LifetimeBracketSchema = z.object({
  aliveAfterSeconds: z.number().nullable(),
  deadAfterSeconds: z.number().nullable(),
  note: z.string().nullable(),
});

export const StunComparisonSchema = z.object({
  server: z.string(),
  randomPort: LifetimeBracketSchema.nullable(),
  /** From local port 5060 (one socket can hold it: probed with growing silences). */
  sipPort: LifetimeBracketSchema.nullable(),
  agreement: z.enum(['agree', 'disagree', 'unknown']),
  summary: z.array(z.string()),
});
export type StunComparison = z.infer<typeof StunComparisonSchema>;

export const KeepAliveAdviceRowSchema = z.object({
  product: z.string(),
  keepAlive: z.array(z.string()),
  reRegistration: z.string(),
});

export const IncomingResultSchema = z.object({
  mode: z.enum(['companion', 'pbx']),
  server: z.string(),
  /** The resolved address the registrations went to. */
  serverAddress: z.string(),
  transport: IncomingTransportSchema,
  startedAt: z.string(),
  durationMs: z.number(),
  tests: z.array(IncomingTestSchema),
  longestWorkingIdleSeconds: z.number().nullable(),
  firstFailingIdleSeconds: z.number().nullable(),
  recommendedKeepAliveSeconds: z.number().nullable(),
  /** The longest idle time repeated with keep-alives at the recommended (or given) interval. */
  keepAlive: KeepAliveRunSchema.nullable(),
  /** Did keep-alives make the call arrive where it did not without them? null: nothing to fix or not run. */
  keepAliveFixes: z.boolean().nullable(),
  stun: StunComparisonSchema.nullable(),
  /** Where to set the keep-alive (and the re-registration, kept separate). */
  advice: z.array(KeepAliveAdviceRowSchema),
  reRegistrationSeconds: z.number(),
  findings: z.array(DiagnosisFindingSchema),
  warnings: z.array(z.string()),
  messages: z.array(SipLogEntrySchema.extend({ flow: z.string() })),
});
export type IncomingResult = z.infer<typeof IncomingResultSchema>;

const TestRefSchema = z.object({
  /** "idle-30" or "keepalive-24" */
  id: z.string(),
  idleSeconds: z.number(),
  keepAliveSeconds: z.number().nullable(),
});

export const IncomingEventSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('plan'),
    tests: z.array(TestRefSchema),
    /** About when the whole run ends, ms from now. */
    expectedDurationMs: z.number(),
  }),
  z.object({
    kind: z.literal('test'),
    ...TestRefSchema.shape,
    state: z.enum(['registering', 'idle', 'arrived', 'missed', 'closed', 'failed', 'cancelled']),
    /** ms since the run started. */
    atMs: z.number(),
    detail: z.string().optional(),
  }),
  z.object({
    kind: z.literal('stun'),
    port: z.enum(['random', 'sip']),
    aliveAfterSeconds: z.number().nullable(),
    deadAfterSeconds: z.number().nullable(),
    done: z.boolean(),
  }),
  /** PBX mode: the user should call now. */
  z.object({
    kind: z.literal('prompt'),
    message: z.string(),
    extension: z.string(),
    waitSeconds: z.number(),
  }),
]);
export type IncomingEvent = z.infer<typeof IncomingEventSchema>;

export const incomingMethods = {
  'incoming.test': { input: IncomingInputSchema, output: IncomingResultSchema, event: IncomingEventSchema },
};
