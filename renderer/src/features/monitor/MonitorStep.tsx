import { useRef, useState, useSyncExternalStore } from 'react';
import { summaryText } from '../../../../shared/model/monitor/summary.ts';
import { useStore } from '../../app/session/session-context.tsx';
import { Dot } from '../../components/Tone.tsx';
import { EventList } from './EventList.tsx';
import {
  initialMonitorView,
  MONITOR_VIEW,
  monitorController,
  type MonitorView,
} from './monitor-controller.ts';
import { MonitorSettings, monitorInput, useMonitorForm } from './MonitorSettings.tsx';
import { Timeline, type TimeRange } from './Timeline.tsx';
import './monitor.css';

const SOURCE_LABEL = {
  live: 'This run',
  saved: 'Saved history',
  file: 'Opened file',
} as const;

/** The last interval in one line, as the CLI prints it. */
function LastInterval({ view }: { view: MonitorView }) {
  const s = view.last;
  if (!s) return view.running ? <p className="muted">First interval running…</p> : null;
  const st = s.stun;
  return (
    <p className="state-line" data-testid="monitor-last">
      <Dot tone={view.running ? 'running' : 'unknown'} /> #{s.seq} at {new Date(s.at).toLocaleTimeString()}:
      public IP <span className="mono">{s.publicIp ?? '—'}</span>
      {st && (
        <>
          {' '}
          · SIP port seen as <span className="mono">{st.sipPort.mapped ?? 'no answer'}</span>
          {st.sipBindingOpen === false ? ' (inbound LOST)' : ''} · loss {st.lossPercent ?? '—'} % · RTT{' '}
          {st.rttMs ?? '—'} ms
        </>
      )}
      {s.registration && (
        <> · registration {s.registration.ok ? 'ok' : `failed (${s.registration.reason})`}</>
      )}
      {s.echo && <> · echo {s.echo.answered ? `MOS ${s.echo.mos ?? '—'}` : 'failed'}</>}
    </p>
  );
}

/**
 * "It breaks now and then": the monitor, live or from a saved history. Watching runs on the host
 * (the same code as `natscope monitor`) and writes its default history, so a run started here and
 * one from the command line end up in the same timeline.
 */
export function MonitorStep() {
  const store = useStore();
  const monitor = monitorController(store);
  const view = useSyncExternalStore(store.subscribe, () => store.slice(MONITOR_VIEW, initialMonitorView));
  const [form, setForm] = useMonitorForm();
  const [range, setRange] = useState<TimeRange | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const openFile = async (f: File | undefined) => {
    if (!f) return;
    setRange(null);
    monitor.openFile(f.name, await f.text());
  };

  return (
    <>
      <MonitorSettings
        form={form}
        onChange={(p) => setForm((f) => ({ ...f, ...p }))}
        disabled={view.running}
      />
      <div className="form-row">
        {view.running ? (
          <button type="button" onClick={() => monitor.stop()}>
            Stop monitoring
          </button>
        ) : (
          <button type="button" className="primary" onClick={() => void monitor.start(monitorInput(form))}>
            Start monitoring
          </button>
        )}
        <button type="button" onClick={() => void monitor.loadSaved()} disabled={view.running}>
          Show the saved history
        </button>
        <button type="button" onClick={() => fileInput.current?.click()} disabled={view.running}>
          Open a history file…
        </button>
        <input
          ref={fileInput}
          type="file"
          accept=".jsonl,.json,.txt,application/json"
          hidden
          aria-label="History file"
          onChange={(e) => void openFile(e.target.files?.[0])}
        />
      </div>
      <p className="muted small">
        Every interval: STUN from the SIP port and a fresh port (public address, mapped port, NAT behaviour,
        loss), the router, the registration, and every Nth interval a short echo call. Changes become events.
        The history is kept by the host
        {view.file ? (
          <>
            {' '}
            in <span className="mono">{view.file}</span>
          </>
        ) : (
          ''
        )}
        . Closing this window stops a run started here: for days, run <code>natscope monitor</code> on the
        host and look at its history here.
      </p>
      {view.error && (
        <div className="notice warning" role="status">
          {view.error}
        </div>
      )}
      <LastInterval view={view} />
      {view.summary && view.source && (
        <div className="headline monitor-summary" data-testid="monitor-summary">
          <span className="card-label">
            {view.source === 'live' && !view.running ? 'Whole history' : SOURCE_LABEL[view.source]}
            {view.source === 'live' && view.previousIntervals
              ? ` (the history had ${view.previousIntervals} intervals before)`
              : ''}
          </span>
          <span className="headline-value">{summaryText(view.summary)}</span>
        </div>
      )}
      {view.source && (
        <>
          <Timeline points={view.points} events={view.events} onRange={setRange} />
          <EventList events={view.events} range={range} />
        </>
      )}
    </>
  );
}
