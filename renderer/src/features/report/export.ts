import { redactReport, renderReport, type ReportFormat } from '../../../../shared/model/report/build.ts';
import type { Report } from '../../../../shared/model/report/report.ts';

export interface MaskChoice {
  publicIps: boolean;
  usernames: string[];
  hostnames: string[];
}

/** Applies the user's masking choice (secrets are already gone) and renders one format. */
export function exportText(report: Report, format: ReportFormat, mask: MaskChoice): string {
  const masked = redactReport(report, {
    secrets: [],
    maskPublicIps: mask.publicIps,
    usernames: mask.usernames,
    hostnames: mask.hostnames,
  });
  return renderReport(masked, format);
}

const MIME: Record<ReportFormat | 'pdf', string> = {
  md: 'text/markdown',
  json: 'application/json',
  html: 'text/html',
  pdf: 'application/pdf',
};

export function saveFile(name: string, data: string | Uint8Array, format: ReportFormat | 'pdf'): void {
  const blob = new Blob([data as BlobPart], { type: MIME[format] });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function reportFileName(report: Report, ext: string): string {
  return `natscope-report-${report.generatedAt.replace(/[:.]/g, '-').slice(0, 19)}.${ext}`;
}
