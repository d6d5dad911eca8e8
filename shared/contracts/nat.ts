import { z } from 'zod';
import { HostPortSchema } from './common.ts';

/**
 * Contract for the wizard's "NAT type" step and `natscope nat`: RFC 5780 NAT behaviour discovery
 * (mapping, filtering, hairpinning, port preservation, binding lifetime) against one or more STUN
 * servers, with a classic RFC 3489 label derived from mapping + filtering.
 *
 * Live progress: the call streams `test` events (one per test and state change, per server/run) and
 * `transaction` events (every STUN transaction as it completes: what was sent where, what came back
 * from where, or that nothing came back) so a UI can show per-test cards and the raw log as it grows.
 */

/** RFC 4787 §4.1 / RFC 5780 §4.3. */
export const MappingBehaviourSchema = z.enum([
  'endpoint-independent',
  'address-dependent',
  'address-and-port-dependent',
]);
export type MappingBehaviour = z.infer<typeof MappingBehaviourSchema>;

/** RFC 4787 §5 / RFC 5780 §4.4. */
export const FilteringBehaviourSchema = z.enum([
  'endpoint-independent',
  'address-dependent',
  'address-and-port-dependent',
]);
export type FilteringBehaviour = z.infer<typeof FilteringBehaviourSchema>;

/** RFC 3489 §10.1 names, derived from mapping + filtering (shared/model/nat-classic.ts). */
export const ClassicNatTypeSchema = z.enum([
  'open-internet',
  'full-cone',
  'restricted-cone',
  'port-restricted-cone',
  'symmetric',
  'symmetric-udp-firewall',
  'udp-blocked',
]);
export type ClassicNatType = z.infer<typeof ClassicNatTypeSchema>;

export const NatTransportSchema = z.enum(['udp', 'tcp']);
export type NatTransport = z.infer<typeof NatTransportSchema>;

export const NatTestNameSchema = z.enum([
  'server-capability', // Binding to the primary address: mapped address, OTHER-ADDRESS, alternate reachable
  'filtering', // RFC 5780 §4.4 (fresh sockets, before any traffic to the alternate address)
  'mapping', // RFC 5780 §4.3
  'hairpinning', // RFC 5780 §4.5 (two sockets)
  'port-preservation', // mapped port == local port on fresh sockets
  'port-5060', // mapping of local port 5060 (SIP)
  'port-rtp', // mapping of an RTP-range local port
  'lifetime', // RFC 5780 §4.6
  'tcp-mapping', // mapping behaviour over TCP
  'tcp-fallback', // UDP gave no answer: one Binding over TCP to see the address anyway
]);
export type NatTestName = z.infer<typeof NatTestNameSchema>;

export const NatTestStatusSchema = z.enum(['running', 'done', 'inconclusive', 'skipped', 'failed']);
export type NatTestStatus = z.infer<typeof NatTestStatusSchema>;

export const StunAttributeViewSchema = z.object({ name: z.string(), value: z.string() });
export type StunAttributeView = z.infer<typeof StunAttributeViewSchema>;

/** One STUN transaction of the raw log. Endpoints are "ip:port" / "[v6]:port". */
export const NatTransactionSchema = z.object({
  /** Transaction ID (hex). */
  id: z.string(),
  /** The server as the user gave it ("host:port"). */
  server: z.string(),
  run: z.number().int().min(1),
  test: NatTestNameSchema,
  /** Which probe of the test, e.g. "change IP and port", "to alternate IP, primary port". */
  step: z.string(),
  transport: NatTransportSchema,
  local: z.string(),
  destination: z.string(),
  sent: z.array(StunAttributeViewSchema),
  /** True when silence is a legitimate outcome (filtering/hairpinning/lifetime probes). */
  mayGoUnanswered: z.boolean(),
  outcome: z.enum(['response', 'timeout', 'error', 'cancelled']),
  /** Where the answer came from (the source address is the evidence in behaviour tests). */
  responseFrom: z.string().nullable(),
  /** Local socket the answer arrived on, when not `local` (RESPONSE-PORT, hairpinning). */
  receivedOn: z.string().nullable(),
  responseClass: z.enum(['success', 'error', 'request']).nullable(),
  response: z.array(StunAttributeViewSchema).nullable(),
  transmissions: z.number().int().min(0),
  /** Time from the first transmission to the answer. */
  rttMs: z.number().nullable(),
  /** Start time relative to the beginning of the run. */
  startedAtMs: z.number(),
  note: z.string().nullable(),
});
export type NatTransaction = z.infer<typeof NatTransactionSchema>;

export const NatTestResultSchema = z.object({
  name: NatTestNameSchema,
  status: NatTestStatusSchema,
  /** Machine-readable verdict, e.g. "endpoint-independent", "true", "5060->5060". */
  verdict: z.string().nullable(),
  /** One line for humans. */
  summary: z.string(),
  durationMs: z.number(),
});
export type NatTestResult = z.infer<typeof NatTestResultSchema>;

export const PortObservationSchema = z.object({
  label: z.enum(['ephemeral', 'sip-5060', 'rtp']),
  local: z.string(),
  mapped: z.string().nullable(),
  preserved: z.boolean().nullable(),
});
export type PortObservation = z.infer<typeof PortObservationSchema>;

export const NatLifetimeSchema = z.object({
  /** Best estimate (between the longest idle time survived and the shortest that killed the mapping). */
  lifetimeSeconds: z.number().nullable(),
  aliveAfterSeconds: z.number().nullable(),
  deadAfterSeconds: z.number().nullable(),
  /** Longest idle time tried; when the mapping survived it, lifetimeSeconds is null and this is a lower bound. */
  maxProbedSeconds: z.number(),
  recommendedKeepAliveSeconds: z.number().nullable(),
  note: z.string().nullable(),
});
export type NatLifetime = z.infer<typeof NatLifetimeSchema>;

/** Result of one discovery run against one server. */
export const NatServerRunSchema = z.object({
  server: z.string(),
  /** Resolved primary address ("ip:port"), null if the name did not resolve. */
  address: z.string().nullable(),
  run: z.number().int().min(1),
  transport: NatTransportSchema,
  /** The server can run RFC 5780 behaviour tests (alternate address real and honoured). */
  serverCapable: z.boolean(),
  serverKind: z.enum(['rfc5780', 'rfc3489', 'basic', 'unreachable']),
  incapableReason: z.string().nullable(),
  otherAddress: z.string().nullable(),
  software: z.string().nullable(),
  mapping: MappingBehaviourSchema.nullable(),
  filtering: FilteringBehaviourSchema.nullable(),
  hairpinning: z.boolean().nullable(),
  natDetected: z.boolean().nullable(),
  /** No UDP answer from this server (it may be down: see the report's udpBlocked / serverSilent). */
  udpBlocked: z.boolean(),
  /** After a silent UDP try: the server's host answered a TCP handshake (accepted or refused); null = not tried. */
  tcpReachable: z.boolean().nullable().optional(),
  portPreserved: z.boolean().nullable(),
  mappedAddress: z.string().nullable(),
  localAddress: z.string().nullable(),
  classic: ClassicNatTypeSchema.nullable(),
  ports: z.array(PortObservationSchema),
  lifetime: NatLifetimeSchema.nullable(),
  tests: z.array(NatTestResultSchema),
  transactions: z.array(NatTransactionSchema),
  warnings: z.array(z.string()),
  durationMs: z.number(),
});
export type NatServerRun = z.infer<typeof NatServerRunSchema>;

export const NatConfidenceSchema = z.enum(['high', 'medium', 'low']);
export type NatConfidence = z.infer<typeof NatConfidenceSchema>;

export const NatDisagreementSchema = z.object({
  field: z.string(),
  values: z.array(z.object({ server: z.string(), run: z.number().int(), value: z.unknown() })),
});
export type NatDisagreement = z.infer<typeof NatDisagreementSchema>;

/** The document `natscope nat --json` prints (field names are part of the CLI's interface). */
export const NatReportSchema = z.object({
  mapping: MappingBehaviourSchema.nullable(),
  filtering: FilteringBehaviourSchema.nullable(),
  hairpinning: z.boolean().nullable(),
  natDetected: z.boolean().nullable(),
  /**
   * UDP is blocked on this path, shown by independent evidence: the server answered over TCP but
   * not UDP, or two or more different servers were silent over UDP (see udpEvidence).
   */
  udpBlocked: z.boolean(),
  /** No server answered at all and nothing proves UDP blocked: "the STUN server did not answer". */
  serverSilent: z.boolean().optional(),
  /** The facts behind udpBlocked or serverSilent, in words. */
  udpEvidence: z.string().nullable().optional(),
  portPreserved: z.boolean().nullable(),
  mappedAddress: z.string().nullable(),
  localAddress: z.string().nullable(),
  classic: ClassicNatTypeSchema.nullable(),
  /** Present when the lifetime test ran (null if it could not measure). */
  lifetimeSeconds: z.number().nullable().optional(),
  recommendedKeepAliveSeconds: z.number().nullable().optional(),
  transport: NatTransportSchema,
  /** At least one server could run the behaviour tests. */
  serverCapable: z.boolean(),
  confidence: NatConfidenceSchema,
  /** Why the confidence is what it is. */
  confidenceReason: z.string(),
  disagreements: z.array(NatDisagreementSchema),
  /** Tests of the run the headline comes from. */
  tests: z.array(NatTestResultSchema),
  servers: z.array(NatServerRunSchema),
  /** Every transaction of every run, in start order. */
  transactions: z.array(NatTransactionSchema),
  warnings: z.array(z.string()),
  durationMs: z.number(),
});
export type NatReport = z.infer<typeof NatReportSchema>;

export const NatTimingSchema = z
  .object({
    /** Initial retransmission timeout (RFC 8489 §6.2.1), doubled per retransmission. */
    rtoMs: z.number().int().min(10).max(5000).default(100),
    /**
     * Longest wait for the first answer before UDP counts as blocked. Once the path's round trip is
     * known (from a parallel TCP connect, or the first answer) the wait is max(negativeWaitMs, 4×RTT+100).
     */
    timeoutMs: z.number().int().min(100).max(60_000).default(1000),
    /** How long a probe whose silence is a verdict (filtering, hairpinning) waits; raised to 4×RTT+100 on slow paths. */
    negativeWaitMs: z.number().int().min(50).max(60_000).default(200),
  })
  .strict();
export type NatTiming = z.infer<typeof NatTimingSchema>;

export const NatDiscoverInputSchema = z
  .object({
    /** "host", "host:port" or "[v6]:port"; default port 3478. Several servers are compared. */
    servers: z.array(HostPortSchema).min(1).max(8),
    transport: NatTransportSchema.default('udp'),
    /** Force an address family; default: whatever the first server resolves to. */
    family: z.union([z.literal(4), z.literal(6)]).optional(),
    /** Repeat the whole discovery this many times per server (results are compared). */
    runs: z.number().int().min(1).max(5).default(1),
    /** Measure the binding lifetime (RFC 5780 §4.6); takes as long as the lifetime itself. */
    lifetime: z.boolean().default(false),
    lifetimeMaxSeconds: z.number().int().min(2).max(1800).default(180),
    timing: NatTimingSchema.optional(),
  })
  .strict();
export type NatDiscoverInput = z.input<typeof NatDiscoverInputSchema>;

export const NatTestEventSchema = z.object({
  kind: z.literal('test'),
  server: z.string(),
  run: z.number().int(),
  test: NatTestNameSchema,
  status: NatTestStatusSchema,
  verdict: z.string().nullable(),
  summary: z.string(),
});
export const NatTransactionEventSchema = z.object({
  kind: z.literal('transaction'),
  transaction: NatTransactionSchema,
});
export const NatLifetimeProgressEventSchema = z.object({
  kind: z.literal('lifetime'),
  server: z.string(),
  run: z.number().int(),
  elapsedSeconds: z.number(),
  aliveAfterSeconds: z.number().nullable(),
  deadAfterSeconds: z.number().nullable(),
  maxProbedSeconds: z.number(),
});
export const NatEventSchema = z.discriminatedUnion('kind', [
  NatTestEventSchema,
  NatTransactionEventSchema,
  NatLifetimeProgressEventSchema,
]);
export type NatEvent = z.infer<typeof NatEventSchema>;

export const NatServerListEntrySchema = z.object({
  host: z.string(),
  port: z.number().int().min(1).max(65535),
  /** Known to answer CHANGE-REQUEST from a real alternate address (RFC 5780); checked again at run time. */
  rfc5780: z.boolean(),
  note: z.string().optional(),
});
export type NatServerListEntry = z.infer<typeof NatServerListEntrySchema>;

export const natMethods = {
  'nat.discover': { input: NatDiscoverInputSchema, output: NatReportSchema, event: NatEventSchema },
  /** The built-in list of public STUN servers (the UI keeps the user's edited copy). */
  'nat.defaultServers': {
    input: z.object({}).strict(),
    output: z.array(NatServerListEntrySchema),
    event: z.never(),
  },
};
