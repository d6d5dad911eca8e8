import { createContext, useContext, type ReactNode } from 'react';
import type { Bridge } from '../../../shared/contracts/client.ts';
import type { BridgeKind } from '../bridge/select-bridge.ts';

interface BridgeValue {
  bridge: Bridge;
  kind: BridgeKind;
}

const BridgeContext = createContext<BridgeValue | null>(null);

export function BridgeProvider({ bridge, kind, children }: BridgeValue & { children: ReactNode }) {
  return <BridgeContext.Provider value={{ bridge, kind }}>{children}</BridgeContext.Provider>;
}

export function useBridge(): BridgeValue {
  const v = useContext(BridgeContext);
  if (!v) throw new Error('useBridge outside BridgeProvider');
  return v;
}
