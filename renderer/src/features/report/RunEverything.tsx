import { useEffect, useState } from 'react';
import type { DemoServer } from '../../../../shared/contracts/alg.ts';
import type { Report } from '../../../../shared/model/report/report.ts';
import { demoStunServer } from '../../app/demo-context.tsx';
import { useCall } from '../../app/use-call.ts';
import { Dot } from '../../components/Tone.tsx';
import { TextField } from '../../components/Field.tsx';

/** "Run everything": every step whose input is filled in, in sequence, with one progress view. */
export function RunEverything({ demo, onReport }: { demo: DemoServer | null; onReport(r: Report): void }) {
  const { state, run, cancel } = useCall('diagnose.run');
  // Remounted (keyed) when the offline demo starts, so the demo's addresses are the initial values.
  const [stun, setStun] = useState(demo ? demoStunServer(demo) : '');
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
        <TextField
          label="STUN server"
          ariaLabel="Run-all STUN server"
          value={stun}
          onChange={setStun}
          disabled={running}
        />
        <TextField
          label="Reflector"
          ariaLabel="Run-all reflector"
          value={reflector}
          onChange={setReflector}
          disabled={running}
        />
        <TextField
          label="Echo URI"
          ariaLabel="Run-all echo URI"
          grow
          value={echoUri}
          onChange={setEchoUri}
          disabled={running}
        />
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
                // The loopback demo has no router: never send UPnP/NAT-PMP/PCP onto the real LAN from it.
                skipRouter: demo !== null,
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
