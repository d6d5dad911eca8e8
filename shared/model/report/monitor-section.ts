import type { MonitorEvent, MonitorHistory, MonitorSummary, TimelinePoint } from '../../contracts/monitor.ts';
import { summaryText } from '../monitor/summary.ts';
import { mergePoints } from '../monitor/timeline.ts';
import { timelineChart } from './svg-timeline.ts';
import type { TableSpec } from './tables.ts';

/**
 * The monitor's history in a report: its summary, the timeline (at most 400 points; merged points
 * keep the worst values) and the most recent events with their advice. Rendered as a page of the
 * HTML report and a section of the Markdown one.
 */
export interface MonitorReportSection {
  summaryText: string;
  summary: MonitorSummary;
  points: TimelinePoint[];
  /** The most recent events (at most 100); `summary.eventCounts` counts them all. */
  events: MonitorEvent[];
}

export const REPORT_POINTS = 400;
export const REPORT_EVENTS = 100;

/** Halves the resolution until at most `max` points remain. */
export function thinPoints(points: TimelinePoint[], max: number): TimelinePoint[] {
  let out = points;
  while (out.length > max) {
    const next: TimelinePoint[] = [];
    for (let i = 0; i < out.length; i += 2)
      next.push(out[i + 1] ? mergePoints(out[i]!, out[i + 1]!) : out[i]!);
    out = next;
  }
  return out;
}

export function monitorSection(h: MonitorHistory): MonitorReportSection {
  return {
    summaryText: summaryText(h.summary),
    summary: h.summary,
    points: thinPoints(h.points, REPORT_POINTS),
    events: h.events.slice(-REPORT_EVENTS),
  };
}

const clock = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');

export function monitorSummaryTable(m: MonitorReportSection): TableSpec {
  const s = m.summary;
  return {
    headers: ['', ''],
    rows: [
      ['From', s.from ? clock(s.from) : null],
      ['To', s.to ? clock(s.to) : null],
      ['Intervals', `${s.intervals} in ${s.runs} run${s.runs === 1 ? '' : 's'}`],
      ['Public IPs seen', s.publicIps.join(', ') || null],
      [
        'Loss (STUN pings)',
        s.lossPercent === null ? null : `${s.lossPercent} % mean, ${s.maxLossPercent} % worst`,
      ],
      ['RTT (STUN)', s.rttMs === null ? null : `${s.rttMs} ms mean`],
      ['Echo calls', s.echoCalls ? `${s.echoCalls}, MOS ${s.mosMean} mean, ${s.mosMin} worst` : null],
      [
        'Registrations',
        s.registrations.ok + s.registrations.failed
          ? `${s.registrations.ok} ok, ${s.registrations.failed} failed`
          : null,
      ],
    ],
  };
}

export function monitorEventsTable(m: MonitorReportSection): TableSpec {
  return {
    headers: ['Time (UTC)', 'Event', 'Severity', 'What', 'Before → after', 'First advice'],
    rows: m.events.map((e) => [
      clock(e.at),
      e.kind,
      e.severity,
      e.title,
      `${e.before ?? '—'} → ${e.after ?? '—'}`,
      e.advice[0] ?? '',
    ]),
  };
}

type Spec = (t: TableSpec) => string;

export function monitorMarkdown(m: MonitorReportSection, spec: Spec): string[] {
  const counts = Object.entries(m.summary.eventCounts);
  return [
    '## Monitor: timeline',
    '',
    `**${m.summaryText}**`,
    '',
    spec(monitorSummaryTable(m)),
    '',
    counts.length ? spec({ headers: ['Event', 'Count'], rows: counts }) : 'No events.',
    '',
    ...(m.events.length
      ? [
          `<details><summary>Events (${m.events.length === REPORT_EVENTS ? `the last ${REPORT_EVENTS}` : m.events.length})</summary>`,
          '',
          spec(monitorEventsTable(m)),
          '',
          '</details>',
          '',
        ]
      : []),
  ];
}

const SEVERITY_COLOR: Record<MonitorEvent['severity'], string> = {
  info: '#1d4ed8',
  warning: '#9a5b00',
  problem: '#b42318',
};

export function monitorHtml(m: MonitorReportSection, spec: Spec, esc: (v: unknown) => string): string[] {
  const events = m.events.map((e) => ({
    t: Date.parse(e.at),
    color: SEVERITY_COLOR[e.severity],
    title: e.title,
  }));
  const series = (
    label: string,
    unit: string,
    color: string,
    pick: (p: TimelinePoint) => number | null,
    connectGaps = false,
  ) =>
    timelineChart({
      label,
      unit,
      color,
      events,
      connectGaps,
      points: m.points.map((p) => ({ t: p.t, y: pick(p) })),
    });
  return [
    '<h2 id="monitor" style="page-break-before:always">Monitor: timeline</h2>',
    `<p><strong>${esc(m.summaryText)}</strong></p>`,
    `<div class="charts" data-testid="monitor-charts">${[
      series('Loss', '%', '#b42318', (p) => p.lossPercent),
      series('Round-trip time', 'ms', '#7c3aed', (p) => p.rttMs),
      series('MOS (echo calls)', '', '#0f7b45', (p) => p.mos, true),
    ].join('')}</div>`,
    `<p class="muted">Dashed lines: events (hover for the title). Points merging several intervals show their worst values.</p>`,
    spec(monitorSummaryTable(m)),
    m.events.length ? spec(monitorEventsTable(m)) : '<p>No events.</p>',
  ];
}
