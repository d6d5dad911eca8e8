import { renderHtml } from './html.ts';
import { renderMarkdown } from './markdown.ts';
import { Redactor, type RedactionOptions } from './redact.ts';
import type { Report } from './report.ts';

export type ReportFormat = 'json' | 'md' | 'html';

/** Redacts the whole document first; every format is rendered from the redacted copy only. */
export function redactReport(report: Report, options: RedactionOptions): Report {
  const redacted = new Redactor(options).value(report);
  return {
    ...redacted,
    redaction: {
      secrets: true,
      publicIps: options.maskPublicIps === true,
      usernames: (options.usernames ?? []).length > 0,
      hostnames: (options.hostnames ?? []).length > 0,
    },
  };
}

export function renderReport(report: Report, format: ReportFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'md':
      return renderMarkdown(report);
    case 'html':
      return renderHtml(report);
  }
}
