import { z } from 'zod';
import { DiagnosisFindingSchema, SummarySchema } from './finding.ts';
import { REPORT_SCHEMA_VERSION } from '../model/report/report.ts';
import { AlgResultSchema } from './alg.ts';
import { CallResultSchema } from './call.ts';
import { IncomingResultSchema } from './incoming.ts';
import { MonitorEventSchema, MonitorSummarySchema, TimelinePointSchema } from './monitor.ts';
import { HostPortSchema, ProgressEventSchema, SipUriSchema } from './common.ts';
import { NatReportSchema } from './nat.ts';
import { HopsSchema, NetworkSnapshotSchema } from './network.ts';
import { RouterReportSchema } from './router.ts';
import { TurnReportSchema, TurnTransportSchema } from './turn.ts';
import { WebrtcResultSchema } from './webrtc.ts';

/**
 * Contract for the "Report" step and `natscope diagnose`: findings from every probe and one report
 * (JSON, versioned — see docs/report-schema.md). Markdown and HTML are rendered from the report
 * document by shared/model/report, so every front door exports the same bytes.
 */
export { DiagnosisFindingSchema } from './finding.ts';
const Summary = SummarySchema;

export const StepIdSchema = z.enum([
  'network',
  'nat',
  'router',
  'alg',
  'call',
  'registration',
  'relay',
  'webrtc',
  'incoming',
]);

export const ReportSchema = z.object({
  schema: z.literal('natscope-report'),
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  generatedAt: z.string(),
  app: z.object({
    name: z.literal('NatScope'),
    version: z.string(),
    platform: z.string(),
    node: z.string(),
    electron: z.string().nullable(),
  }),
  redaction: z.object({
    secrets: z.literal(true),
    publicIps: z.boolean(),
    usernames: z.boolean(),
    hostnames: z.boolean(),
  }),
  loopbackDemo: z.literal(true).optional(),
  steps: z.array(
    z.object({
      id: StepIdSchema,
      status: z.enum(['done', 'skipped', 'failed']),
      reason: z.string().optional(),
      durationMs: z.number().optional(),
    }),
  ),
  findings: z.array(DiagnosisFindingSchema),
  network: z
    .object({
      interfaces: z.array(z.object({ name: z.string(), address: z.string(), class: z.string() })),
      gateways: z.array(z.string()),
      primary: z.string().nullable(),
      hops: z.array(z.string()).optional(),
      hopsTarget: z.string().optional(),
    })
    .optional(),
  nat: z
    .object({
      server: z.string(),
      summary: Summary,
      transactions: z.array(
        z.object({
          test: z.string(),
          from: z.string(),
          to: z.string(),
          request: z.string(),
          responseFrom: z.string().nullable(),
          response: z.string().nullable(),
          rttMs: z.number().nullable(),
        }),
      ),
    })
    .optional(),
  router: z
    .object({
      summary: Summary,
      mappings: z.array(
        z.object({
          protocol: z.string(),
          externalPort: z.number(),
          internalClient: z.string(),
          internalPort: z.number(),
          description: z.string(),
          leaseSeconds: z.number().nullable(),
          createdByNatScope: z.boolean(),
        }),
      ),
      /** Why the router's table was cut short (upnp.mappingsPartial): more mappings may exist. */
      partialReason: z.string().nullable().optional(),
    })
    .optional(),
  alg: z
    .object({
      summary: Summary,
      rows: z.array(
        z.object({
          transport: z.string(),
          port: z.number(),
          sourcePort: z.number().nullable(),
          verdict: z.enum(['rewritten', 'untouched', 'dropped', 'error']),
          fields: z.array(
            z.object({ name: z.string(), sent: z.string().nullable(), received: z.string().nullable() }),
          ),
        }),
      ),
    })
    .optional(),
  incoming: z
    .object({
      summary: Summary,
      tests: z.array(
        z.object({
          idleSeconds: z.number(),
          keepAliveSeconds: z.number().nullable(),
          outcome: z.string(),
          arrivedAfterMs: z.number().nullable(),
          from: z.string().nullable(),
          localSocket: z.string().nullable(),
        }),
      ),
      advice: z.array(
        z.object({ product: z.string(), keepAlive: z.array(z.string()), reRegistration: z.string() }),
      ),
    })
    .optional(),
  webrtc: z.object({ summary: Summary }).optional(),
  relay: z
    .object({
      summary: Summary,
      candidates: z.array(
        z.object({
          type: z.string(),
          transport: z.string(),
          address: z.string(),
          source: z.string(),
          gatherMs: z.number().nullable(),
          reachable: z.string(),
          why: z.string(),
        }),
      ),
    })
    .optional(),
  call: z
    .object({
      summary: Summary,
      samples: z.array(
        z.object({
          t: z.number(),
          lossPercent: z.number().nullable(),
          jitterMs: z.number().nullable(),
          rttMs: z.number().nullable(),
          mos: z.number().nullable(),
        }),
      ),
      ladder: z.array(
        z.object({
          direction: z.enum(['sent', 'received']),
          time: z.union([z.string(), z.number()]),
          from: z.string(),
          to: z.string(),
          summary: z.string(),
          raw: z.string(),
        }),
      ),
    })
    .optional(),
  /** The monitor's history: summary, timeline (≤ 400 points), the most recent events (≤ 100). */
  monitor: z
    .object({
      summaryText: z.string(),
      summary: MonitorSummarySchema,
      points: z.array(TimelinePointSchema).max(400),
      events: z.array(MonitorEventSchema).max(100),
    })
    .optional(),
});

export const MaskOptionsSchema = z
  .object({
    publicIps: z.boolean().default(false),
    usernames: z.array(z.string().max(128)).max(20).default([]),
    hostnames: z.array(z.string().max(255)).max(20).default([]),
  })
  .strict();

/** Steps whose latest result the host keeps for `report.build` (see `fromHost`). */
export const HOST_RESULT_STEPS = ['network', 'nat', 'router', 'alg', 'call', 'turn', 'incoming'] as const;
export type HostResultStep = (typeof HOST_RESULT_STEPS)[number];

/** The wizard's results so far, to build a report from what the user already ran. */
export const ReportBuildInputSchema = z
  .object({
    /**
     * Steps to take from the host's own latest result (the UI ran them through this host) instead
     * of a result sent here: keeps the UI's frames small. A result given below wins.
     */
    fromHost: z.array(z.enum(HOST_RESULT_STEPS)).max(HOST_RESULT_STEPS.length).default([]),
    network: NetworkSnapshotSchema.optional(),
    nat: NatReportSchema.optional(),
    router: RouterReportSchema.optional(),
    alg: AlgResultSchema.optional(),
    call: CallResultSchema.optional(),
    turn: TurnReportSchema.optional(),
    /** The first routers towards the STUN server (a 100.64/10 hop shows a carrier-grade NAT). */
    path: HopsSchema.optional(),
    /** The WebRTC echo, run in the browser (the host never holds it). */
    webrtc: WebrtcResultSchema.optional(),
    incoming: IncomingResultSchema.optional(),
    /** Per-second call stats, when the UI kept them (the call result holds only the final numbers). */
    callSamples: z
      .array(
        z.object({
          t: z.number(),
          lossPercent: z.number().nullable(),
          jitterMs: z.number().nullable(),
          rttMs: z.number().nullable(),
          mos: z.number().nullable(),
        }),
      )
      .max(3600)
      .optional(),
    /** Strings that must never appear in the report (the SIP password typed in the Echo step). */
    secrets: z.array(z.string().max(256)).max(10).default([]),
    mask: MaskOptionsSchema.optional(),
    /** The results come from the offline demo: the report says so at the top. */
    loopbackDemo: z.boolean().default(false),
    /** Add the host's monitor history (the default file, as `monitor.history` reads it) as the timeline page. */
    monitorHistory: z.boolean().default(false),
  })
  .strict();

export const DiagnoseInputSchema = z
  .object({
    stunServers: z.array(HostPortSchema).max(4).default([]),
    reflector: HostPortSchema.optional(),
    echoUri: SipUriSchema.optional(),
    transport: z.enum(['udp', 'tcp', 'tls', 'ws', 'wss']).default('udp'),
    /** SIP over WebSocket for the echo call (RFC 7118): the gateway's ws:// or wss:// URL. */
    wsUrl: z
      .string()
      .max(2048)
      .regex(/^wss?:\/\/[^\s#]+$/i, 'must be a ws:// or wss:// URL')
      .optional(),
    /** Extra CA (PEM) the echo call trusts over TLS / wss. */
    callCaPem: z.string().max(65536).optional(),
    registrar: HostPortSchema.optional(),
    user: z.string().min(1).max(128).optional(),
    password: z.string().max(256).optional(),
    callSeconds: z.number().min(1).max(120).default(8),
    /** TURN relay test (`--turn-server`): long-term credentials or a coturn REST secret. */
    turnServer: z.string().min(1).max(300).optional(),
    turnTransport: TurnTransportSchema.default('udp'),
    turnUser: z.string().min(1).max(256).optional(),
    turnPassword: z.string().max(256).optional(),
    turnSecret: z.string().min(1).max(256).optional(),
    turnCaPem: z.string().max(65536).optional(),
    /** Skip the router step (UPnP/NAT-PMP/PCP) even though it needs no input. */
    skipRouter: z.boolean().default(false),
    /** Run the inbound-call test against the reflector (a `natscope server`): takes minutes, so opt-in. */
    incoming: z.boolean().default(false),
    /** Idle times for it (default 15, 30, 60, 90, 120 s). */
    incomingIdleSeconds: z.array(z.number().int().min(1).max(120)).min(1).max(8).optional(),
    mask: MaskOptionsSchema.optional(),
  })
  .strict();
export type DiagnoseInput = z.input<typeof DiagnoseInputSchema>;

export const reportMethods = {
  'report.build': { input: ReportBuildInputSchema, output: ReportSchema, event: z.never() },
  /** Runs every step whose inputs are given, in sequence, then builds the report. */
  'diagnose.run': { input: DiagnoseInputSchema, output: ReportSchema, event: ProgressEventSchema },
  /** PDF of the HTML report (desktop app only; web mode answers not-supported). */
  'report.pdf': {
    input: z.object({ html: z.string().max(10_000_000) }).strict(),
    output: z.object({ pdfBase64: z.string() }),
    event: z.never(),
  },
};
