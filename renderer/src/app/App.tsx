import { FEATURES } from './features.ts';
import { DemoProvider } from './demo-context.tsx';
import { buildRegistry, type Registry } from './registry.ts';
import { RegistryProvider } from './registry-context.tsx';
import { SessionProvider } from './session/session-context.tsx';
import { AppShell } from './shell/AppShell.tsx';

const REGISTRY = buildRegistry(FEATURES);

export function App({ registry = REGISTRY }: { registry?: Registry }) {
  return (
    <SessionProvider>
      <DemoProvider>
        <RegistryProvider registry={registry}>
          <AppShell />
        </RegistryProvider>
      </DemoProvider>
    </SessionProvider>
  );
}
