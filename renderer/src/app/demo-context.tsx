import { createContext, useCallback, useContext, useState, type ReactNode } from 'react';
import type { DemoServer } from '../../../shared/contracts/alg.ts';
import { useBridge } from './bridge-context.tsx';
import { DEMO_SLICE, useStore } from './session/session-context.tsx';

/**
 * "Try it offline": starts NatScope's companion server (and a simulated router) on loopback and
 * points every step at it. Starting or stopping it clears the session: results from loopback and
 * from the real network must never mix in one report.
 */
interface DemoValue {
  demo: DemoServer | null;
  starting: boolean;
  error: string | null;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The demo's STUN server as "host:port", the form every step's STUN input takes. */
export function demoStunServer(demo: DemoServer): string {
  return `${demo.stun.primary}:${demo.stun.ports[0] ?? 3478}`;
}

const DemoContext = createContext<DemoValue | null>(null);

export function DemoProvider({ children }: { children: ReactNode }) {
  const { bridge } = useBridge();
  const store = useStore();
  const [demo, setDemo] = useState<DemoServer | null>(null);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const start = useCallback(async () => {
    setStarting(true);
    setError(null);
    try {
      const d = await bridge.call('companion.startDemo', {});
      store.reset();
      store.setSlice(DEMO_SLICE, d);
      setDemo(d);
    } catch (e) {
      setError(`Could not start the offline demo: ${(e as Error).message}`);
    } finally {
      setStarting(false);
    }
  }, [bridge, store]);
  const stop = useCallback(async () => {
    store.reset();
    await bridge.call('companion.stopDemo', {}).catch(() => undefined);
    setDemo(null);
  }, [bridge, store]);
  return (
    <DemoContext.Provider value={{ demo, starting, error, start, stop }}>{children}</DemoContext.Provider>
  );
}

export function useDemo(): DemoValue {
  const v = useContext(DemoContext);
  if (!v) throw new Error('useDemo outside DemoProvider');
  return v;
}
