import { createContext, useCallback, useContext, useState, type ReactNode } from 'react';
import type { DemoServer } from '../../../shared/contracts/alg.ts';
import { useBridge } from './bridge-context.tsx';

/**
 * "Try it offline": starts NatScope's companion server on loopback and points every step at it.
 * While it runs, the app shows a banner saying results come from a loopback demo, not the network.
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
  const [demo, setDemo] = useState<DemoServer | null>(null);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const start = useCallback(async () => {
    setStarting(true);
    setError(null);
    try {
      setDemo(await bridge.call('companion.startDemo', {}));
    } catch (e) {
      setError(`Could not start the offline demo: ${(e as Error).message}`);
    } finally {
      setStarting(false);
    }
  }, [bridge]);
  const stop = useCallback(async () => {
    await bridge.call('companion.stopDemo', {}).catch(() => undefined);
    setDemo(null);
  }, [bridge]);
  return (
    <DemoContext.Provider value={{ demo, starting, error, start, stop }}>{children}</DemoContext.Provider>
  );
}

export function useDemo(): DemoValue {
  const v = useContext(DemoContext);
  if (!v) throw new Error('useDemo outside DemoProvider');
  return v;
}
