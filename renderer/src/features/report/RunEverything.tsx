import { useEffect, useState } from 'react';
import type { DemoServer } from '../../../../shared/contracts/alg.ts';
import type { Report } from '../../../../shared/model/report/report.ts';
import { useCall } from '../../app/use-call.ts';
import { Dot } from '../../components/Tone.tsx';

/** "Run everything": every step whose input is filled in, in sequence, with one progress view. */
export function RunEverything({ demo, onReport }: { demo: DemoServer | null; onReport(r: Report): void }) {
  const { state, run, cancel } = useCall('diagnose.run');
  // Remounted (keyed) when the offline demo starts, so the demo's addresses are the initial values.
  const [stun, setStun] = useState(demo ? `${demo.stun.primary}:${demo.stun.ports[0] ?? 3478}` : '');
  const [reflector, setReflector] = useState(demo?.reflector ?? '');
  const [echoUri, setEchoUri] = useState(demo?.echoUri ?? '');
  useEffect(() => {
    if (state.status === 'done') onReport(state.output);
  }, [state, onReport]);
  const running = state.status === 'running';
  return (
    <details className="run-everything" open={!!demo || running}>
      <summary>
        <strong>Run everything</strong> <span className="muted small">— all steps in one go</span>
      </summary>
      <div className="form-row">
        <label className="field">
          <span>STUN server</span>
          <input
            aria-label="Run-all STUN server"
            value={stun}
            onChange={(e) => setStun(e.target.value)}
            disabled={running}
          />
        </label>
        <label className="field">
          <span>Reflector</span>
          <input
            aria-label="Run-all reflector"
            value={reflector}
            onChange={(e) => setReflector(e.target.value)}
            disabled={running}
          />
        </label>
        <label className="field grow">
          <span>Echo URI</span>
          <input
            aria-label="Run-all echo URI"
            value={echoUri}
            onChange={(e) => setEchoUri(e.target.value)}
            disabled={running}
          />
        </label>
        {running ? (
          <button type="button" onClick={cancel}>
            Cancel
          </button>
        ) : (
          <button
            type="button"
            className="primary"
            onClick={() =>
              void run({
                stunServers: stun.trim() ? [stun.trim()] : [],
                ...(reflector.trim() ? { reflector: reflector.trim() } : {}),
                ...(echoUri.trim() ? { echoUri: echoUri.trim() } : {}),
                callSeconds: 5,
              })
            }
          >
            Run everything
          </button>
        )}
      </div>
      {state.status !== 'idle' && (
        <ul className="progress-list" aria-label="Run-all progress" data-testid="run-all-progress">
          {state.events.map((e, i) => (
            <li key={i}>
              <Dot
                tone={
                  e.status === 'done'
                    ? 'ok'
                    : e.status === 'failed'
                      ? 'problem'
                      : e.status === 'skipped'
                        ? 'unknown'
                        : 'running'
                }
              />{' '}
              <strong>{e.step}</strong> {e.status}
              {e.message ? <span className="muted"> — {e.message}</span> : null}
            </li>
          ))}
        </ul>
      )}
      {state.status === 'failed' && (
        <div className="error-banner" role="alert">
          {state.error.message}
        </div>
      )}
    </details>
  );
}
