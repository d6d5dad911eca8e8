import { z } from 'zod';
import { MONITOR_EVENT_KINDS } from '../model/monitor/event-kinds.ts';
import { SipAccountSchema } from './call.ts';
import { HostPortSchema, SipUriSchema } from './common.ts';

/**
 * Contract for `natscope monitor` and the Timeline view: a long-running watch that runs a light probe
 * set every interval (STUN bindings, the router, a registration refresh, every Nth interval a short
 * echo call), appends each interval and each detected event to a JSON-lines history, and streams the
 * same records as events.
 *
 *   'monitor.run'      input MonitorInput → events MonitorRunEvent* → output MonitorRunResult
 *   'monitor.history'  the default history file, downsampled for the timeline
 *
 * The history is one JSON document per line: `start`, `interval`, `event` and `stop` records (the
 * schemas below). It is appended and synced as it goes, so it stays complete and parseable when the
 * process is killed, and a restarted monitor continues it. Passwords never reach it.
 */

/** Path quality as the pings or the echo call measured it; null = not measured. */
const quality = {
  lossPercent: z.number().nullable(),
  rttMs: z.number().nullable(),
  jitterMs: z.number().nullable(),
};
const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export const BehaviourSchema = z
  .enum(['endpoint-independent', 'address-dependent', 'address-and-port-dependent'])
  .nullable();

/** The account to keep registered: the echo call's account fields (REGISTER over UDP from the SIP port). */
export const MonitorAccountSchema = SipAccountSchema.omit({ register: true });

export const MonitorInputSchema = z
  .object({
    /** Seconds between the starts of two intervals (before jitter). */
    intervalSec: z.number().min(1).max(3600).default(60),
    /** Each wait is the interval ± this fraction, so monitors never probe in lockstep. */
    jitter: z.number().min(0).max(0.5).default(0.1),
    /** Every Nth interval (and the first) carries a short echo call, when an echo URI is given. */
    echoEvery: z.number().int().min(1).max(100_000).default(10),
    /** Media seconds of each echo call. */
    echoSeconds: z.number().min(2).max(60).default(10),
    /** Stop after this many seconds (default: run until stopped). */
    durationSec: z
      .number()
      .min(1)
      .max(400 * 86_400)
      .optional(),
    /** STUN server host[:port] (RFC 5780 servers also give the mapping behaviour). */
    stunServer: HostPortSchema.optional(),
    /** The local port a SIP phone would use; the monitor binds it for STUN and the registration. */
    sipPort: z.number().int().min(1).max(65535).default(5060),
    /** Number of STUN pings per interval for loss and round-trip time (0 = none). */
    pings: z.number().int().min(0).max(100).default(20),
    echoUri: SipUriSchema.optional(),
    account: MonitorAccountSchema.optional(),
    /** Ask the router (UPnP IGD, NAT-PMP, PCP) every interval (default true). */
    router: z.boolean().default(true),
  })
  .strict();
export type MonitorInput = z.input<typeof MonitorInputSchema>;
export type MonitorOptions = z.output<typeof MonitorInputSchema>;

const BindingSchema = z.object({
  /** Local "ip:port". */
  local: z.string(),
  /** What the STUN server saw ("ip:port"); null when it did not answer. */
  mapped: z.string().nullable(),
  rttMs: z.number().nullable(),
});

export const StunSampleSchema = z.object({
  server: z.string(),
  /** Binding from the SIP port (kept open across intervals, like a phone's). */
  sipPort: BindingSchema,
  /** Binding from a fresh random port. */
  randomPort: BindingSchema,
  /** RFC 4787 mapping of the fresh port: same mapping towards the server's other address? null = unknown. */
  mapping: BehaviourSchema,
  portPreserved: z.boolean().nullable(),
  /**
   * Did the SIP port's previous mapping still take inbound traffic before this interval refreshed it
   * (a RESPONSE-PORT answer sent to it, RFC 5780 §7.5)? null: first interval, address changed, or the
   * server does not honour RESPONSE-PORT.
   */
  sipBindingOpen: z.boolean().nullable(),
  /** STUN pings: round-trip loss %, median RTT and mean RTT difference (jitter), ms. */
  pings: z.object({ sent: z.number().int(), received: z.number().int() }),
  ...quality,
  error: z.string().nullable(),
});
export type StunSample = z.infer<typeof StunSampleSchema>;

export const OwnMappingStateSchema = z.object({
  /** Ledger id. */
  id: z.string(),
  via: z.enum(['upnp', 'natpmp', 'pcp']),
  protocol: z.enum(['udp', 'tcp']),
  externalPort: z.number().int(),
  internalPort: z.number().int(),
  /** Seen in the router's table (UPnP); null when the protocol cannot list (NAT-PMP/PCP). */
  present: z.boolean().nullable(),
});

export const RouterSampleSchema = z.object({
  externalIp: z.string().nullable(),
  upnp: z.boolean(),
  natpmp: z.boolean(),
  /** UPnP GetStatusInfo uptime. */
  uptimeSeconds: z.number().nullable(),
  /** NAT-PMP (else PCP) seconds since start of epoch (RFC 6886 §3.6). */
  epochSeconds: z.number().nullable(),
  ownMappings: z.array(OwnMappingStateSchema),
  error: z.string().nullable(),
});
export type RouterSample = z.infer<typeof RouterSampleSchema>;

export const RegistrationSampleSchema = z.object({
  registrar: z.string(),
  ok: z.boolean(),
  status: z.number().int().nullable(),
  reason: z.string(),
  expires: z.number().nullable(),
});

export const EchoSampleSchema = z.object({
  target: z.string(),
  answered: z.boolean(),
  sipStatus: z.number().int().nullable(),
  endReason: z.string(),
  sent: z.number().int(),
  received: z.number().int(),
  ...quality,
  mos: z.number().nullable(),
  oneWayAudio: z.boolean(),
  error: z.string().nullable(),
});
export type EchoSample = z.infer<typeof EchoSampleSchema>;

/** One interval: a `type: "interval"` line of the history. Sections are null when not probed. */
export const MonitorSampleSchema = z.object({
  type: z.literal('interval'),
  seq: z.number().int().min(0),
  /** ISO time the interval started. */
  at: z.string(),
  durationMs: z.number(),
  /** The public address: STUN's answer, else the router's external IP; null when unknown. */
  publicIp: z.string().nullable(),
  stun: StunSampleSchema.nullable(),
  router: RouterSampleSchema.nullable(),
  registration: RegistrationSampleSchema.nullable(),
  echo: EchoSampleSchema.nullable(),
});
export type MonitorSample = z.infer<typeof MonitorSampleSchema>;

export const MonitorEventKindSchema = z.enum(MONITOR_EVENT_KINDS);

/** A detected change: a `type: "event"` line of the history. */
export const MonitorEventSchema = z.object({
  type: z.literal('event'),
  kind: MonitorEventKindSchema,
  /** The interval that revealed it. */
  seq: z.number().int(),
  at: z.string(),
  severity: z.enum(['info', 'warning', 'problem']),
  title: z.string(),
  before: Scalar,
  after: Scalar,
  evidence: z.record(z.string(), Scalar),
  /** Plain-language steps; the same texts as the matching diagnosis finding where one exists. */
  advice: z.array(z.string()),
  /** The diagnosis finding whose advice this repeats, if any. */
  findingId: z.string().nullable(),
});
export type MonitorEvent = z.infer<typeof MonitorEventSchema>;

export const MonitorStartSchema = z.object({
  type: z.literal('start'),
  at: z.string(),
  version: z.string(),
  /** This run continues an existing history. */
  resumed: z.boolean(),
  /** The options, without the password. */
  options: z.record(z.string(), Scalar),
});
export const MonitorStopSchema = z.object({
  type: z.literal('stop'),
  at: z.string(),
  reason: z.enum(['duration', 'stopped', 'error']),
  detail: z.string().nullable(),
  intervals: z.number().int(),
});
export const MonitorRecordSchema = z.discriminatedUnion('type', [
  MonitorStartSchema,
  MonitorSampleSchema,
  MonitorEventSchema,
  MonitorStopSchema,
]);
export type MonitorRecord = z.infer<typeof MonitorRecordSchema>;

export const MonitorSummarySchema = z.object({
  from: z.string().nullable(),
  to: z.string().nullable(),
  intervals: z.number().int(),
  runs: z.number().int(),
  eventCounts: z.record(z.string(), z.number().int()),
  publicIps: z.array(z.string()),
  /** Mean STUN-ping loss over every interval that pinged. */
  lossPercent: z.number().nullable(),
  maxLossPercent: z.number().nullable(),
  rttMs: z.number().nullable(),
  echoCalls: z.number().int(),
  mosMean: z.number().nullable(),
  mosMin: z.number().nullable(),
  registrations: z.object({ ok: z.number().int(), failed: z.number().int() }),
  /** The hour of day (local time of whoever built the summary) with the most loss, then events. */
  worstHour: z
    .object({
      hour: z.number().int().min(0).max(23),
      lossPercent: z.number().nullable(),
      events: z.number().int(),
      intervals: z.number().int(),
    })
    .nullable(),
});
export type MonitorSummary = z.infer<typeof MonitorSummarySchema>;

/** One point of the timeline; several intervals merged into one point carry the worst values. */
export const TimelinePointSchema = z.object({
  /** ms since 1970 of the (first) interval. */
  t: z.number(),
  seq: z.number().int(),
  /** Intervals merged into this point. */
  n: z.number().int(),
  ...quality,
  mos: z.number().nullable(),
  publicIp: z.string().nullable(),
  registrationOk: z.boolean().nullable(),
});
export type TimelinePoint = z.infer<typeof TimelinePointSchema>;

export const MonitorHistorySchema = z.object({
  /** Where the history lives (the default file in NatScope's state directory). */
  file: z.string(),
  exists: z.boolean(),
  summary: MonitorSummarySchema,
  points: z.array(TimelinePointSchema).max(2000),
  /** The most recent events (at most 500); `summary.eventCounts` counts them all. */
  events: z.array(MonitorEventSchema).max(500),
  /** Lines that were not valid records (e.g. the torn last line after a power cut). */
  skippedLines: z.number().int(),
});
export type MonitorHistory = z.infer<typeof MonitorHistorySchema>;

export const MonitorRunEventSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('started'),
    file: z.string(),
    resumed: z.boolean(),
    /** Intervals already in the history before this run. */
    previousIntervals: z.number().int(),
  }),
  z.object({ kind: z.literal('interval'), sample: MonitorSampleSchema }),
  z.object({ kind: z.literal('event'), event: MonitorEventSchema }),
]);
export type MonitorRunEvent = z.infer<typeof MonitorRunEventSchema>;

export const MonitorRunResultSchema = z.object({
  file: z.string(),
  stoppedBy: z.enum(['duration', 'stopped', 'error']),
  intervals: z.number().int(),
  /** Summary of the whole history (this run and the runs it continues). */
  summary: MonitorSummarySchema,
});
export type MonitorRunResult = z.infer<typeof MonitorRunResultSchema>;

export const monitorMethods = {
  'monitor.run': { input: MonitorInputSchema, output: MonitorRunResultSchema, event: MonitorRunEventSchema },
  'monitor.history': {
    input: z.object({}).strict(),
    output: MonitorHistorySchema,
    event: z.never(),
  },
};
