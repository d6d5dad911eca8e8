import { createContext, useContext, type ReactNode } from 'react';
import type { Bridge } from '../../../shared/contracts/client.ts';
import type { BridgeKind } from '../bridge/select-bridge.ts';

interface BridgeValue {
  bridge: Bridge;
  kind: BridgeKind;
  /** Web mode: called once when the host's connection is gone (its in-flight calls have failed). */
  onConnectionLost?: (listener: (reason: string) => void) => () => void;
}

const BridgeContext = createContext<BridgeValue | null>(null);

export function BridgeProvider({ children, ...value }: BridgeValue & { children: ReactNode }) {
  return <BridgeContext.Provider value={value}>{children}</BridgeContext.Provider>;
}

export function useBridge(): BridgeValue {
  const v = useContext(BridgeContext);
  if (!v) throw new Error('useBridge outside BridgeProvider');
  return v;
}
