import { useCallback, useEffect, useState } from 'react';
import { HOST_RESULT_STEPS } from '../../../../shared/contracts/report.ts';
import type { ReportFormat } from '../../../../shared/model/report/build.ts';
import type { Report } from '../../../../shared/model/report/report.ts';
import { useBridge } from '../../app/bridge-context.tsx';
import { useDemo } from '../../app/demo-context.tsx';
import { useResults } from '../../app/results-context.tsx';
import { exportText, reportFileName, saveFile, type MaskChoice } from './export.ts';
import { RunEverything } from './RunEverything.tsx';
import { SummaryView } from './SummaryView.tsx';
import { TextField } from '../../components/Field.tsx';

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

export function ReportStep() {
  const { bridge, kind } = useBridge();
  const { results } = useResults();
  const { demo } = useDemo();
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [maskIps, setMaskIps] = useState(false);
  const [maskUsers, setMaskUsers] = useState('');
  const [maskHosts, setMaskHosts] = useState('');
  const mask: MaskChoice = { publicIps: maskIps, usernames: list(maskUsers), hostnames: list(maskHosts) };

  const buildFromSession = useCallback(() => {
    const { secrets, callSamples, ...steps } = results;
    // The host ran every step for us and keeps the latest results: name them instead of sending
    // them back (a large router table would not fit in one web-mode frame).
    const fromHost = HOST_RESULT_STEPS.filter((s) => steps[s] !== undefined);
    bridge
      .call('report.build', {
        fromHost,
        secrets: secrets ?? [],
        callSamples: callSamples?.map((s) => ({
          t: Math.round(s.elapsedSec),
          lossPercent: s.lossPercent,
          jitterMs: s.jitterMs,
          rttMs: s.rttMs,
          mos: s.mos,
        })),
      })
      .then(
        (r) => {
          setError(null);
          setReport(r);
        },
        (e: Error) => setError(`Could not build the report: ${e.message}`),
      );
  }, [bridge, results]);
  useEffect(() => buildFromSession(), [buildFromSession]);

  const doExport = async (format: ReportFormat | 'pdf') => {
    if (!report) return;
    setNote(null);
    if (format === 'pdf') {
      try {
        const { pdfBase64 } = await bridge.call('report.pdf', { html: exportText(report, 'html', mask) });
        saveFile(
          reportFileName(report, 'pdf'),
          Uint8Array.from(atob(pdfBase64), (c) => c.charCodeAt(0)),
          'pdf',
        );
      } catch (e) {
        setNote((e as Error).message);
      }
      return;
    }
    saveFile(reportFileName(report, format), exportText(report, format, mask), format);
  };

  const copy = async () => {
    if (!report) return;
    try {
      await navigator.clipboard.writeText(exportText(report, 'md', mask));
      setNote('Markdown copied to the clipboard — paste it into a GitHub issue or forum post.');
    } catch {
      setNote('The browser refused clipboard access; use “Save Markdown” instead.');
    }
  };

  return (
    <section className="panel" aria-labelledby="step-title">
      <div className="panel-head">
        <div>
          <h2 id="step-title">Report</h2>
          <p className="muted">
            Findings from every step, what to do next, and a report to attach to a bug or support ticket.
          </p>
        </div>
        <button type="button" onClick={buildFromSession}>
          Rebuild from this session
        </button>
      </div>
      <RunEverything key={demo ? 'demo' : 'live'} demo={demo} onReport={setReport} />
      {error && (
        <div className="error-banner" role="alert">
          {error}
        </div>
      )}
      {report && (
        <>
          <SummaryView report={report} />
          <h3>Export</h3>
          <div className="form-row">
            <label className="check">
              <input type="checkbox" checked={maskIps} onChange={(e) => setMaskIps(e.target.checked)} /> Mask
              public IPs
            </label>
            <TextField
              label="Mask user names (comma-separated)"
              ariaLabel="Mask user names"
              value={maskUsers}
              onChange={setMaskUsers}
            />
            <TextField label="Mask host names" value={maskHosts} onChange={setMaskHosts} />
          </div>
          <div className="form-row export-buttons">
            <button type="button" onClick={() => void copy()}>
              Copy Markdown
            </button>
            <button type="button" onClick={() => void doExport('md')}>
              Save Markdown
            </button>
            <button type="button" onClick={() => void doExport('html')}>
              Save HTML
            </button>
            <button type="button" onClick={() => void doExport('json')}>
              Save JSON
            </button>
            <button
              type="button"
              onClick={() => void doExport('pdf')}
              disabled={kind !== 'electron'}
              title={
                kind === 'electron'
                  ? 'Save as PDF'
                  : 'PDF needs the desktop app; save HTML and print it to PDF'
              }
            >
              Save PDF
            </button>
            <span className="muted small">Passwords and Authorization headers are always removed.</span>
          </div>
          {note && (
            <div className="notice" role="status">
              {note}
            </div>
          )}
        </>
      )}
    </section>
  );
}
