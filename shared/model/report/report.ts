import { trafficLights, type Area, type Finding, type Severity } from '../diagnosis/findings.ts';
import type { MonitorReportSection } from './monitor-section.ts';

/**
 * The report document (JSON, versioned). Markdown and HTML are rendered from it, after redaction,
 * so nothing reaches an export that is not in this document. Bump REPORT_SCHEMA_VERSION on any
 * incompatible change and document it in docs/report-schema.md.
 */
export const REPORT_SCHEMA_VERSION = 1;

export type StepId =
  'network' | 'nat' | 'router' | 'alg' | 'call' | 'registration' | 'relay' | 'webrtc' | 'incoming';

export interface StepOutcome {
  id: StepId;
  status: 'done' | 'skipped' | 'failed';
  /** Why it was skipped or how it failed. */
  reason?: string;
  durationMs?: number;
}

export interface CallSample {
  /** Seconds since the call was answered. */
  t: number;
  lossPercent: number | null;
  jitterMs: number | null;
  rttMs: number | null;
  mos: number | null;
}

export interface LadderMessage {
  direction: 'sent' | 'received';
  /** ISO time or ms since start, as the call service gives it. */
  time: string | number;
  from: string;
  to: string;
  /** First line, e.g. "INVITE sip:9196@… SIP/2.0" or "SIP/2.0 200 OK". */
  summary: string;
  raw: string;
}

export interface StunTransactionRow {
  test: string;
  from: string;
  to: string;
  request: string;
  responseFrom: string | null;
  response: string | null;
  rttMs: number | null;
}

export interface MappingRow {
  protocol: string;
  externalPort: number;
  internalClient: string;
  internalPort: number;
  description: string;
  leaseSeconds: number | null;
  createdByNatScope: boolean;
}

export interface AlgRow {
  transport: string;
  port: number;
  sourcePort: number | null;
  verdict: 'rewritten' | 'untouched' | 'dropped' | 'error';
  fields: { name: string; sent: string | null; received: string | null }[];
}

export interface Report {
  schema: 'natscope-report';
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  generatedAt: string;
  app: { name: 'NatScope'; version: string; platform: string; node: string; electron: string | null };
  redaction: { secrets: true; publicIps: boolean; usernames: boolean; hostnames: boolean };
  /** Set when the results come from the offline demo (everything on loopback): exports say so on top. */
  loopbackDemo?: true;
  steps: StepOutcome[];
  findings: Finding[];
  network?: {
    interfaces: { name: string; address: string; class: string }[];
    gateways: string[];
    primary: string | null;
    /** First routers towards the STUN server ("1: 192.168.1.1"), when probed. */
    hops?: string[];
    hopsTarget?: string;
  };
  nat?: {
    server: string;
    summary: Record<string, string | number | boolean | null>;
    transactions: StunTransactionRow[];
  };
  router?: {
    summary: Record<string, string | number | boolean | null>;
    mappings: MappingRow[];
    /** Why the router's table was cut short (upnp.mappingsPartial): more mappings may exist. */
    partialReason?: string | null;
  };
  alg?: {
    summary: Record<string, string | number | boolean | null>;
    rows: AlgRow[];
  };
  /** The WebRTC echo (browser): WebSocket, ICE (chosen pair), DTLS, audio figures. */
  webrtc?: { summary: Record<string, string | number | boolean | null> };
  /** The TURN relay test: allocation summary and the ICE-style candidate list. */
  relay?: {
    summary: Record<string, string | number | boolean | null>;
    candidates: {
      type: string;
      transport: string;
      address: string;
      source: string;
      gatherMs: number | null;
      reachable: string;
      why: string;
    }[];
  };
  call?: {
    summary: Record<string, string | number | boolean | null>;
    samples: CallSample[];
    ladder: LadderMessage[];
  };
  /** The inbound-call test: verdict, one row per idle time (and the keep-alive check), the advice. */
  incoming?: {
    summary: Record<string, string | number | boolean | null>;
    tests: IncomingRow[];
    advice: { product: string; keepAlive: string[]; reRegistration: string }[];
  };
  /** The monitor's history (`natscope monitor`): summary, timeline, recent events. */
  monitor?: MonitorReportSection;
}

/** One idle time of the inbound-call test (or its keep-alive check). */
export interface IncomingRow {
  idleSeconds: number;
  keepAliveSeconds: number | null;
  outcome: string;
  arrivedAfterMs: number | null;
  from: string | null;
  localSocket: string | null;
}

/**
 * The summary's traffic light per area: the worst finding's severity, or "ok" when the area's
 * step ran and found nothing to report. Areas whose step did not run are absent ("not checked").
 */
/** The line every export of a demo report starts with. */
export const LOOPBACK_DEMO_NOTE =
  'Loopback demo: every step ran against NatScope’s own servers on this computer (127.0.0.1/127.0.0.2, a simulated router). Nothing here describes your network.';

export function reportLights(r: Pick<Report, 'findings' | 'steps'>): Partial<Record<Area, Severity>> {
  const lights = trafficLights(r.findings);
  for (const s of r.steps) {
    const area: Area | null = s.id === 'registration' ? null : s.id;
    if (area && s.status === 'done' && lights[area] === undefined) lights[area] = 'ok';
  }
  return lights;
}
