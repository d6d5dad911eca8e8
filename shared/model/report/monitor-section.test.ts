import { describe, expect, it } from 'vitest';
import { ReportSchema } from '../../contracts/report.ts';
import { detect, initialDetectorState } from '../monitor/detect.ts';
import { HistoryReplay } from '../monitor/history.ts';
import { sampleAt, withStun } from '../monitor/testing.ts';
import { redactReport, renderReport } from './build.ts';
import { monitorSection, REPORT_POINTS } from './monitor-section.ts';
import { sampleReport } from './sample-report.ts';

/** A history of `n` intervals with a public IP change at interval 3. */
function history(n: number) {
  const replay = new HistoryReplay({ hourOf: (iso) => new Date(iso).getUTCHours() });
  let state = initialDetectorState;
  for (let i = 0; i < n; i++) {
    const s =
      i >= 3
        ? withStun(sampleAt(i, { publicIp: '198.51.100.7' }), {
            sipPort: { local: '192.168.1.10:5060', mapped: '198.51.100.7:5060', rttMs: 2 },
          })
        : sampleAt(i);
    const r = detect(state, s);
    state = r.state;
    replay.record(s);
    for (const e of r.events) replay.record(e);
  }
  return replay.result('h.jsonl', true);
}

describe('monitor page of the report', () => {
  it('is bounded, validates against the report schema and renders in every format', () => {
    const section = monitorSection(history(3000));
    expect(section.points.length).toBeLessThanOrEqual(REPORT_POINTS);
    expect(section.summaryText).toMatch(/^1 public IP change, /);
    const report = { ...sampleReport(), monitor: section };
    expect(ReportSchema.safeParse(report).success).toBe(true);
    const html = renderReport(report, 'html');
    expect(html).toContain('Monitor: timeline');
    expect(html).toContain('data-testid="monitor-charts"');
    expect(html).toContain('Public IP changed from 203.0.113.2 to 198.51.100.7');
    expect(html).not.toMatch(/<script/i);
    const md = renderReport(report, 'md');
    expect(md).toContain('## Monitor: timeline');
    expect(md).toContain('| public-ip-changed | 1 |');
  });

  it('masking public IPs reaches the monitor page too', () => {
    const report = redactReport(
      { ...sampleReport(), monitor: monitorSection(history(6)) },
      { secrets: [], maskPublicIps: true, usernames: [], hostnames: [] },
    );
    const md = renderReport(report, 'md');
    expect(md).not.toContain('198.51.100.7');
  });
});
