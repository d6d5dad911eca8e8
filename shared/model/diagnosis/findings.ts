/**
 * The findings model: every probe's result becomes typed findings with stable ids, so reports,
 * scripts and support engineers can key on them (`natscope diagnose --json` → `findings[]`).
 */
export const FINDING_IDS = [
  'no-nat',
  'nat-detected',
  'symmetric-nat',
  'udp-blocked',
  'double-nat',
  'cgnat',
  'no-hairpinning',
  'short-binding-lifetime',
  'no-upnp',
  'upnp-mapping-failed',
  'sip-alg',
  'no-sip-alg',
  'one-way-audio',
  'no-audio',
  'poor-call-quality',
  'call-ok',
  'registration-failed',
  'router-quirk',
  'relay-works',
  'relay-needed',
  'relay-unreachable',
  'websocket-blocked',
  'ice-failed',
  'dtls-failed',
  'webrtc-relay-only',
  'webrtc-ok',
  'loopback-only',
  'stun-no-answer',
  'no-incoming-calls',
  'incoming-calls-ok',
  'sip-lifetime-differs',
] as const;
export type FindingId = (typeof FINDING_IDS)[number];

/** ok: checked and fine; info: worth knowing; warning: may break some calls; problem: breaks calls. */
export type Severity = 'ok' | 'info' | 'warning' | 'problem';
export const AREAS = ['network', 'nat', 'router', 'alg', 'call', 'relay', 'webrtc', 'incoming'] as const;
export type Area = (typeof AREAS)[number];

export interface Reference {
  title: string;
  url: string;
}

export interface Finding {
  id: FindingId;
  area: Area;
  severity: Severity;
  title: string;
  /** The raw facts the finding rests on, so a reader can check the reasoning. */
  evidence: Record<string, string | number | boolean | null>;
  /** Plain-language steps, most useful first; may include endpoint-specific settings. */
  advice: string[];
  references: Reference[];
}

export const SEVERITY_ORDER: Record<Severity, number> = { problem: 0, warning: 1, info: 2, ok: 3 };

export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
}

/** Worst severity per area: the summary's traffic light. Areas with no finding are absent. */
export function trafficLights(findings: Finding[]): Partial<Record<Area, Severity>> {
  const out: Partial<Record<Area, Severity>> = {};
  for (const f of findings) {
    const cur = out[f.area];
    if (cur === undefined || SEVERITY_ORDER[f.severity] < SEVERITY_ORDER[cur]) out[f.area] = f.severity;
  }
  return out;
}
