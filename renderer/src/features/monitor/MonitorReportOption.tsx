import { useSession, useStore } from '../../app/session/session-context.tsx';
import { CheckField } from '../../components/Field.tsx';

/**
 * In the Report step: put the host's saved monitor history (summary, timeline, events) into the
 * report as its "Monitor: timeline" page. The host reads the file itself; nothing large travels.
 */
export function MonitorReportOption() {
  const store = useStore();
  const { results, report } = useSession();
  const on = results.monitorHistory !== undefined;
  // A new stamp asks the host to read the history again (it grows while a monitor runs).
  const set = (v: boolean) => store.setResult('monitorHistory', v ? Date.now() : undefined);
  return (
    <section aria-label="Monitor history in the report">
      <h2>Monitor history</h2>
      <div className="form-row">
        <CheckField
          label="Add the saved monitor history as the report's timeline page"
          checked={on}
          onChange={set}
        />
        {on && (
          <button type="button" onClick={() => set(true)}>
            Read it again
          </button>
        )}
      </div>
      {on && report && (
        <p className="muted small" data-testid="monitor-in-report">
          {report.monitor
            ? `In the report: ${report.monitor.summaryText}`
            : 'The host has no monitor history yet.'}
        </p>
      )}
    </section>
  );
}
