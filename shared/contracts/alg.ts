import { z } from 'zod';
import { HostPortSchema, ProgressEventSchema } from './common.ts';

/**
 * Contract for the "SIP ALG" step and the companion server's loopback demo.
 *
 * `alg.test` with a reflector (`natscope server` on a host you control) is conclusive: for every
 * path (transport × destination port × source port) it compares the bytes sent with the bytes the
 * server received (outbound) and the bytes the server sent with the bytes received (inbound).
 * Without a reflector it runs heuristics against an ordinary SIP and/or STUN server: weaker evidence.
 */
export const AlgTransportSchema = z.enum(['UDP', 'TCP']);
export type AlgTransport = z.infer<typeof AlgTransportSchema>;

export const AlgMethodSchema = z.enum(['REGISTER', 'OPTIONS', 'INVITE']);
export type AlgMethod = z.infer<typeof AlgMethodSchema>;

export const FieldChangeSchema = z.object({
  /** "Via", "Contact", "Request-URI", "Content-Length", "SDP c=", "SDP m=audio", "Body"… */
  field: z.string(),
  kind: z.enum(['rewritten', 'added', 'removed']),
  before: z.string().nullable(),
  after: z.string().nullable(),
  /** IP addresses the middlebox wrote into the field. */
  writtenAddresses: z.array(z.string()),
});
export type FieldChangeDto = z.infer<typeof FieldChangeSchema>;

export const AlgMessageResultSchema = z.object({
  method: AlgMethodSchema,
  /** untouched = arrived byte-identical both ways; dropped = no answer after retries. */
  status: z.enum(['untouched', 'rewritten', 'dropped', 'error']),
  sentBytes: z.number().int(),
  /** Size as the server received it (null when dropped). */
  receivedBytes: z.number().int().nullable(),
  responseBytes: z.number().int().nullable(),
  /** Client → server changes. */
  outbound: z.array(FieldChangeSchema),
  /** Server → client changes (the response differs from what the server sent). */
  inbound: z.array(FieldChangeSchema),
  /** The received Content-Length matches the body (false = a broken rewrite). */
  contentLengthConsistent: z.boolean().nullable(),
  /** Source address:port as the server saw it. */
  observedSource: z.string().nullable(),
  rttMs: z.number().nullable(),
  error: z.string().nullable(),
  /** Message texts, kept only when something changed (credentials never appear: probes carry none). */
  sentText: z.string().nullable(),
  receivedText: z.string().nullable(),
});
export type AlgMessageResult = z.infer<typeof AlgMessageResultSchema>;

export const AlgPathSchema = z.object({
  transport: AlgTransportSchema,
  destinationPort: z.number().int(),
  /** Local (source) port actually used; null when the path was skipped before binding. */
  sourcePort: z.number().int().nullable(),
  sourcePortKind: z.enum(['sip', 'random']),
  status: z.enum(['untouched', 'rewritten', 'dropped', 'partial', 'skipped', 'error']),
  /** Outbound fields changed (names without indices), e.g. ["Via", "Contact", "SDP c="]. */
  rewrittenFields: z.array(z.string()),
  inboundRewrittenFields: z.array(z.string()),
  writtenAddresses: z.array(z.string()),
  messages: z.array(AlgMessageResultSchema),
  note: z.string().nullable(),
});
export type AlgPath = z.infer<typeof AlgPathSchema>;

export const AlgAdviceSchema = z.object({
  id: z.string(),
  severity: z.enum(['info', 'warning', 'critical']),
  title: z.string(),
  detail: z.string(),
});
export type AlgAdvice = z.infer<typeof AlgAdviceSchema>;

export const AlgHeuristicSchema = z.object({
  id: z.string(),
  /** What the heuristic suggests; heuristics are always weaker evidence than a reflector. */
  suggestsAlg: z.boolean(),
  title: z.string(),
  detail: z.string(),
});
export type AlgHeuristic = z.infer<typeof AlgHeuristicSchema>;

export const AlgResultSchema = z.object({
  mode: z.enum(['reflector', 'heuristic']),
  /** Reflector or server tested, "host:port". */
  target: z.string(),
  /** True when run against the companion server on loopback (no router in the path). */
  loopbackDemo: z.boolean(),
  algDetected: z.boolean(),
  evidence: z.enum(['conclusive', 'weak', 'none']),
  /** One line, e.g. "UDP 5060: Contact and SDP c= rewritten to 203.0.113.1; TCP and port 5062 untouched". */
  summary: z.string(),
  paths: z.array(AlgPathSchema),
  /** The ALG wrote an address that is not the one the internet sees (e.g. the CGN-side address). */
  wrongAddress: z
    .object({
      written: z.string(),
      publicAddress: z.string(),
      writtenClass: z.string(),
      explanation: z.string(),
    })
    .nullable(),
  heuristics: z.array(AlgHeuristicSchema),
  advice: z.array(AlgAdviceSchema),
  warnings: z.array(z.string()),
  durationMs: z.number(),
});
export type AlgResult = z.infer<typeof AlgResultSchema>;

export const AlgTestInputSchema = z
  .object({
    /** `natscope server` address, "HOST[:PORT]" (port default 5060). Conclusive mode. */
    reflector: HostPortSchema.optional(),
    /** The reflector's non-standard SIP port (default 5062). */
    altPort: z.number().int().min(1).max(65535).optional(),
    transports: z.array(AlgTransportSchema).min(1).optional(),
    methods: z.array(AlgMethodSchema).min(1).optional(),
    /** 'sip' = local port 5060, 'random' = an ephemeral port. Default both. */
    sourcePorts: z
      .array(z.enum(['sip', 'random']))
      .min(1)
      .optional(),
    /** Local address to bind (default: the wildcard). */
    localAddress: z.string().optional(),
    /** Per-message wait (UDP is retried twice within it). */
    timeoutMs: z.number().int().min(200).max(30_000).optional(),
    /** Router make/model for specific "how to turn it off" hints. */
    routerModel: z.string().max(200).optional(),
    /** Heuristic mode: an ordinary SIP server ("HOST[:PORT]") to send OPTIONS to. */
    sipServer: HostPortSchema.optional(),
    /** Heuristic mode: a STUN server ("HOST[:PORT]") for the mapped address and the MAPPED/XOR check. */
    stunServer: HostPortSchema.optional(),
  })
  .strict();
export type AlgTestInput = z.infer<typeof AlgTestInputSchema>;

export const AlgEventSchema = z.union([
  ProgressEventSchema,
  /** A path finished (the UI can fill its row as results arrive). */
  z.object({ kind: z.literal('path'), path: AlgPathSchema }),
]);
export type AlgEvent = z.infer<typeof AlgEventSchema>;

/** The loopback companion server behind "Try it offline" / `natscope demo`. */
export const DemoServerSchema = z.object({
  label: z.literal('loopback demo'),
  running: z.boolean(),
  /** STUN server addresses (RFC 5780: primary and alternate, each on two ports). */
  stun: z.object({ primary: z.string(), alternate: z.string().nullable(), ports: z.array(z.number().int()) }),
  /** Reflector "host:port" to pass to alg.test, plus the alternate (non-5060) port. */
  reflector: z.string(),
  altPort: z.number().int(),
  /** SIP URI of the echo UAS (answers INVITE, echoes RTP). */
  echoUri: z.string(),
  /**
   * A simulated router on loopback (UPnP IGD + NAT-PMP/PCP) for the router step, so the demo never
   * asks the real LAN; null when it could not start. Pass both fields to router.probe.
   */
  router: z.object({ gateway: z.string(), igdLocation: z.string() }).nullable(),
  warnings: z.array(z.string()),
});
export type DemoServer = z.infer<typeof DemoServerSchema>;

export const algMethods = {
  'alg.test': { input: AlgTestInputSchema, output: AlgResultSchema, event: AlgEventSchema },
  /** Starts (or returns the already running) loopback companion server on 127.0.0.1 + 127.0.0.2. */
  'companion.startDemo': { input: z.object({}).strict(), output: DemoServerSchema, event: z.never() },
  'companion.stopDemo': {
    input: z.object({}).strict(),
    output: z.object({ stopped: z.boolean() }),
    event: z.never(),
  },
};
