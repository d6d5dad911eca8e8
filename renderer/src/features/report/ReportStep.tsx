import { useState } from 'react';
import type { ReportFormat } from '../../../../shared/model/report/build.ts';
import { useBridge } from '../../app/bridge-context.tsx';
import { useNavigation } from '../../app/navigation.tsx';
import { Slot } from '../../app/registry-context.tsx';
import { useSession } from '../../app/session/session-context.tsx';
import { exportText, reportFileName, saveFile, type MaskChoice } from './export.ts';
import { SummaryView } from './SummaryView.tsx';
import { TextField } from '../../components/Field.tsx';

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/**
 * The session's report: built from every result of this session (each step's own runs and "Check
 * my connection" alike), so it is never emptier than what the user has seen.
 */
export function ReportStep() {
  const { bridge, kind } = useBridge();
  const { report, results } = useSession();
  const { go } = useNavigation();
  const [note, setNote] = useState<string | null>(null);
  const [maskIps, setMaskIps] = useState(false);
  const [maskUsers, setMaskUsers] = useState('');
  const [maskHosts, setMaskHosts] = useState('');
  const mask: MaskChoice = { publicIps: maskIps, usernames: list(maskUsers), hostnames: list(maskHosts) };

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

  if (Object.keys(results).length === 0)
    return (
      <>
        <p className="muted">
          Nothing checked yet.{' '}
          <button type="button" className="link" onClick={() => go('home')}>
            Check my connection
          </button>{' '}
          first, or run any step: the report collects every result of this session.
        </p>
        <Slot name="report.sections" />
      </>
    );
  return (
    <>
      {!report && <p role="status">Building the report…</p>}
      {report && (
        <>
          <SummaryView report={report} />
          <h2>Export</h2>
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
      <Slot name="report.sections" />
    </>
  );
}
