import { createContext, useContext, type ReactNode } from 'react';
import type { Registry, SlotName } from './registry.ts';

const RegistryContext = createContext<Registry | null>(null);

export function RegistryProvider({ registry, children }: { registry: Registry; children: ReactNode }) {
  return <RegistryContext.Provider value={registry}>{children}</RegistryContext.Provider>;
}

export function useRegistry(): Registry {
  const r = useContext(RegistryContext);
  if (!r) throw new Error('useRegistry outside RegistryProvider');
  return r;
}

/** Renders every component registered for a slot, in order (nothing when none is). */
export function Slot({ name }: { name: SlotName }) {
  const r = useContext(RegistryContext);
  return (
    <>
      {r?.slots[name].map(({ id, Component }) => (
        <Component key={id} />
      ))}
    </>
  );
}
