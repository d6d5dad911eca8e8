import { useEffect, useState } from 'react';
import type { AppInfo } from '../../../shared/contracts/app.ts';
import { Wizard } from '../features/wizard/Wizard.tsx';
import { useBridge } from './bridge-context.tsx';

export function App() {
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
        <div className="muted small" data-testid="host-info">
          {info
            ? `v${info.version} · ${kind === 'electron' ? 'desktop app' : 'web mode'} · ${info.platform}`
            : ''}
        </div>
      </header>
      {error && (
        <div className="error-banner" role="alert">
          {error}
        </div>
      )}
      <Wizard />
    </div>
  );
}
