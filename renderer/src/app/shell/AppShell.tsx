import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AppInfo } from '../../../../shared/contracts/app.ts';
import { useBridge } from '../bridge-context.tsx';
import { useDemo } from '../demo-context.tsx';
import { NavigationContext } from '../navigation.tsx';
import { useRegistry } from '../registry-context.tsx';
import type { StepDef } from '../registry.ts';
import { Banners } from './Banners.tsx';
import { Sidebar } from './Sidebar.tsx';
import { StatusHeader } from './StatusHeader.tsx';

/**
 * The window: a skip link, the header (brand, public IP and overall verdict, offline demo), the
 * banners, the step list and the current step. Moving to another step moves keyboard focus to its
 * heading, so screen-reader and keyboard users land where the content changed.
 */
export function AppShell() {
  const { steps } = useRegistry();
  const [current, setCurrent] = useState(steps[0]!.id);
  // Focus moves to a step's heading when the user navigated there, not on the first page load.
  const [navigated, setNavigated] = useState(false);
  const go = useCallback((id: string) => {
    setNavigated(true);
    setCurrent(id);
  }, []);
  const nav = useMemo(() => ({ current, go }), [current, go]);
  const index = Math.max(
    0,
    steps.findIndex((s) => s.id === current),
  );
  const step = steps[index]!;
  return (
    <NavigationContext.Provider value={nav}>
      <div className="app">
        <a className="skip-link" href="#main">
          Skip to the step’s content
        </a>
        <TopBar />
        <Banners />
        <div className="wizard">
          <Sidebar />
          <main id="main" className="step-body" tabIndex={-1}>
            <StepFrame key={step.id} step={step} focus={navigated} />
            <div className="step-nav">
              <button type="button" disabled={index === 0} onClick={() => go(steps[index - 1]!.id)}>
                ← Back
              </button>
              <button
                type="button"
                disabled={index === steps.length - 1}
                onClick={() => go(steps[index + 1]!.id)}
              >
                Next: {steps[index + 1]?.title ?? 'done'} →
              </button>
            </div>
          </main>
        </div>
      </div>
    </NavigationContext.Provider>
  );
}

function StepFrame({ step, focus }: { step: StepDef; focus: boolean }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (focus) heading.current?.focus();
  }, [focus]);
  return (
    <section className="panel" aria-labelledby="step-title">
      <h1 id="step-title" tabIndex={-1} ref={heading}>
        {step.title}
      </h1>
      {step.description && <p className="muted step-description">{step.description}</p>}
      <step.Component />
    </section>
  );
}

function TopBar() {
  const demoCtl = useDemo();
  const { bridge, kind } = useBridge();
  const [info, setInfo] = useState<AppInfo | null>(null);
  useEffect(() => {
    bridge.call('app.info', {}).then(setInfo, () => undefined);
  }, [bridge]);
  return (
    <header className="topbar">
      <div className="brand">
        <img className="logo" src="./favicon.svg" alt="" width={22} height={22} />
        NatScope
      </div>
      <StatusHeader />
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
        <span className="host-info small" data-testid="host-info">
          {info
            ? `v${info.version} · ${kind === 'electron' ? 'desktop app' : 'web mode'} · ${info.platform}`
            : ''}
        </span>
      </div>
    </header>
  );
}
