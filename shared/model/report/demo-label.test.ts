import { describe, expect, it } from 'vitest';
import { renderReport } from './build.ts';
import { sampleReport } from './sample-report.ts';

describe('reports from the offline demo', () => {
  it('say so at the top of every export', () => {
    const r = { ...sampleReport(), loopbackDemo: true as const };
    const md = renderReport(r, 'md').split('\n');
    expect(md[0]).toBe('# NatScope report');
    expect(md[2]).toMatch(
      /^> \*\*Loopback demo: every step ran against NatScope’s own servers on this computer/,
    );
    const html = renderReport(r, 'html');
    expect(html.indexOf('data-testid="report-demo"')).toBeLessThan(html.indexOf('<h2'));
    expect(JSON.parse(renderReport(r, 'json')).loopbackDemo).toBe(true);
  });

  it('and only those', () => {
    expect(renderReport(sampleReport(), 'md')).not.toContain('Loopback demo');
    expect(renderReport(sampleReport(), 'html')).not.toContain('report-demo');
  });
});
