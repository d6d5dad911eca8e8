import { useEffect, useState } from 'react';
import type { AppInfo } from '../../../shared/contracts/app.ts';
import { Wizard } from '../features/wizard/Wizard.tsx';
import { useBridge } from './bridge-context.tsx';
import { DemoProvider, useDemo } from './demo-context.tsx';
import { ResultsProvider } from './results-context.tsx';

export function App() {
  return (
    <DemoProvider>
      <ResultsProvider>
        <AppFrame />
      </ResultsProvider>
    </DemoProvider>
  );
}

function DemoBanner() {
  const { demo, stop } = useDemo();
  if (!demo) return null;
  return (
    <div className="demo-banner" role="status" data-testid="demo-banner">
      <strong>Loopback demo.</strong> Every step talks to NatScope's own companion server on{' '}
      {demo.stun.primary.replace(/:\d+$/, '')}
      {demo.stun.alternate ? ` and ${demo.stun.alternate.replace(/:\d+$/, '')}` : ''} — no router and no
      internet are involved, so the results show how NatScope works, not how your network behaves.{' '}
      <button type="button" onClick={() => void stop()}>
        Stop demo
      </button>
    </div>
  );
}

function AppFrame() {
  const demoCtl = useDemo();
  const { bridge, kind } = useBridge();
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    bridge.call('app.info', {}).then(setInfo, (e: Error) => setError(e.message));
  }, [bridge]);
  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">
          <span className="logo" aria-hidden="true">
            ◎
          </span>
          NatScope
        </div>
        <div className="topbar-right">
          {!demoCtl.demo && (
            <button
              type="button"
              className="ghost"
              onClick={() => void demoCtl.start()}
              disabled={demoCtl.starting}
            >
              {demoCtl.starting ? 'Starting demo…' : 'Try it offline'}
            </button>
          )}
          <span className="muted small" data-testid="host-info">
            {info
              ? `v${info.version} · ${kind === 'electron' ? 'desktop app' : 'web mode'} · ${info.platform}`
              : ''}
          </span>
        </div>
      </header>
      <DemoBanner />
      {demoCtl.error && (
        <div className="error-banner" role="alert">
          {demoCtl.error}
        </div>
      )}
      {error && (
        <div className="error-banner" role="alert">
          {error}
        </div>
      )}
      <Wizard />
    </div>
  );
}
