import { describe, expect, it } from 'vitest';
import { redactReport, renderReport, type ReportFormat } from './build.ts';
import { REDACTED } from './redact.ts';
import { SAMPLE_PASSWORD, sampleReport } from './sample-report.ts';
import { reportLights } from './report.ts';
import type { RouterReport } from '../../contracts/router.ts';
import { sectionsFromResults } from '../diagnosis/from-results.ts';

const FORMATS: ReportFormat[] = ['json', 'md', 'html'];

describe('report', () => {
  it('Markdown output matches the golden file', async () => {
    const doc = redactReport(sampleReport(), { secrets: [SAMPLE_PASSWORD] });
    await expect(renderReport(doc, 'md')).toMatchFileSnapshot('./__golden__/report.md');
  });

  it('HTML output matches the golden file', async () => {
    const doc = redactReport(sampleReport(), { secrets: [SAMPLE_PASSWORD] });
    await expect(renderReport(doc, 'html')).toMatchFileSnapshot('./__golden__/report.html');
  });

  it('the password and Authorization values appear in no format', () => {
    const doc = redactReport(sampleReport(), { secrets: [SAMPLE_PASSWORD] });
    for (const f of FORMATS) {
      const out = renderReport(doc, f);
      expect(out, f).not.toContain(SAMPLE_PASSWORD);
      expect(out, f).not.toContain('6629fae49393a05397450978507c4ef1');
      expect(out, f).toContain(REDACTED);
    }
  });

  it('the password is removed even when the caller forgets to name it, if it sits in a password field', () => {
    const doc = redactReport(sampleReport(), { secrets: [] });
    expect(JSON.stringify(doc.call!.summary)).not.toContain(SAMPLE_PASSWORD);
  });

  it('masks public IPs consistently for public posting, keeps private ones', () => {
    const doc = redactReport(sampleReport(), {
      secrets: [SAMPLE_PASSWORD],
      maskPublicIps: true,
      usernames: ['alice'],
    });
    const md = renderReport(doc, 'md');
    expect(md).not.toContain('203.0.113.2');
    expect(md).not.toContain('203.0.113.10');
    expect(md).toContain('[public-ip-');
    expect(md).toContain('192.168.77.10');
    expect(md).not.toMatch(/alice/);
    expect(doc.redaction).toEqual({ secrets: true, publicIps: true, usernames: true, hostnames: false });
  });

  it('HTML is self-contained: no scripts, no external resources', () => {
    const html = renderReport(redactReport(sampleReport(), { secrets: [] }), 'html');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/src="http/i);
    expect(html).toContain('<svg');
  });

  it('lights: worst finding per area, ok for a step that ran clean, absent for one that did not run', () => {
    const lights = reportLights(sampleReport());
    expect(lights).toMatchObject({
      network: 'ok',
      nat: 'problem',
      router: 'problem',
      alg: 'problem',
      call: 'warning',
    });
    expect(reportLights({ findings: [], steps: [{ id: 'nat', status: 'skipped' }] })).toEqual({});
  });

  it('a partial UPnP mapping table (upnp.mappingsPartial) is marked in Markdown and HTML', () => {
    const reason = 'the 2 s time budget for the table ran out; 3 entries read';
    const router = {
      gateway: '192.168.1.1',
      upnp: {
        found: true,
        externalIp: null,
        mappings: [],
        mappingsPartial: true,
        mappingsPartialReason: reason,
      },
      natpmp: { supported: false, externalIp: null, epoch: null },
      pcp: { supported: false, externalIp: null },
      findings: [],
      ownMappings: [],
    } as unknown as RouterReport;
    const section = sectionsFromResults({ router }).router!;
    expect(section.partialReason).toBe(reason);
    const doc = redactReport(sampleReport(), { secrets: [] });
    doc.router = section;
    const md = renderReport(doc, 'md');
    expect(md).toContain(`Partial table — more mappings may exist: ${reason}.`);
    expect(md).not.toContain('No port mappings.');
    expect(renderReport(doc, 'html')).toContain(`Partial table — more mappings may exist: ${reason}.`);
    // a whole table says nothing of the kind
    const whole = sectionsFromResults({
      router: { ...router, upnp: { ...router.upnp, mappingsPartial: false, mappingsPartialReason: null } },
    }).router!;
    expect(whole.partialReason).toBeNull();
    expect(renderReport({ ...doc, router: whole }, 'md')).not.toContain('Partial table');
  });
});
