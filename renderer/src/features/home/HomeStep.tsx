import { useEffect, useState } from 'react';
import type { CheckDefaults } from '../../../../shared/contracts/app.ts';
import { useBridge } from '../../app/bridge-context.tsx';
import { demoStunServer, useDemo } from '../../app/demo-context.tsx';
import { Slot } from '../../app/registry-context.tsx';
import { useSession, useSessionState, useStore } from '../../app/session/session-context.tsx';
import { AdvancedInputs, EMPTY_ADVANCED, planFromAdvanced, type AdvancedValues } from './AdvancedInputs.tsx';
import { cancelCheck, runCheck, type CheckPlan } from './check.ts';
import { VerdictPage } from './VerdictPage.tsx';
import { checkState } from './verdicts.ts';

/**
 * The first screen: one button that checks everything with sensible defaults, then the verdict
 * page. The defaults come from the host (built-in public STUN servers and FreeSWITCH's echo, or
 * what `natscope serve` was started with); the offline demo points everything at loopback.
 */
export function HomeStep() {
  const { bridge } = useBridge();
  const store = useStore();
  const session = useSession();
  // While the demo starts, a check would run against the real network and then be wiped by the
  // demo's session reset: the button waits for it.
  const { demo, starting } = useDemo();
  const [defaults, setDefaults] = useState<CheckDefaults | null>(null);
  const [defaultsError, setDefaultsError] = useState<string | null>(null);
  const [advanced, setAdvanced] = useSessionState<AdvancedValues>('home.advanced', EMPTY_ADVANCED);
  useEffect(() => {
    bridge.call('app.checkDefaults', {}).then(setDefaults, (e: Error) => setDefaultsError(e.message));
  }, [bridge]);

  const check = checkState(session);
  const running = check.status === 'running';
  const plan: CheckPlan | null = demo
    ? {
        stunServers: [demoStunServer(demo)],
        reflector: demo.reflector,
        algAltPort: demo.altPort,
        echoUri: demo.echoUri,
        router: demo.router ? { gateway: demo.router.gateway, igdLocation: demo.router.igdLocation } : null,
        routerSkip: 'the loopback demo has no router',
        callLocalAddress: '127.0.0.1',
        callSeconds: 4,
      }
    : defaults
      ? planFromAdvanced(defaults, advanced)
      : null;

  return (
    <>
      <div className="check-hero">
        <p>
          {demo
            ? 'Loopback demo: every probe goes to NatScope’s own servers on this computer (127.0.0.1/127.0.0.2), nothing leaves it.'
            : 'One click checks your public address, your NAT, your router, SIP ALG and a real echo call, then says what to do.'}
        </p>
        <div className="form-row">
          {running ? (
            <button type="button" onClick={() => cancelCheck(store)}>
              Cancel
            </button>
          ) : (
            <button
              type="button"
              className="primary big"
              disabled={!plan || starting}
              onClick={() => plan && void runCheck(store, plan)}
            >
              {check.status === 'idle' ? 'Check my connection' : 'Check again'}
            </button>
          )}
          <Slot name="home.actions" />
          {check.status === 'done' && check.startedAt && check.finishedAt && (
            <span className="muted small" data-testid="check-duration">
              done in {((check.finishedAt - check.startedAt) / 1000).toFixed(1)} s
            </span>
          )}
        </div>
        {defaultsError && (
          <div className="error-banner" role="alert">
            Could not read the defaults: {defaultsError}
          </div>
        )}
        {!demo && defaults && (
          <AdvancedInputs defaults={defaults} values={advanced} onChange={setAdvanced} disabled={running} />
        )}
      </div>
      <VerdictPage />
    </>
  );
}
