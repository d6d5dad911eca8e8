import { act, render } from '@testing-library/react';
import type { ReactNode } from 'react';
import type { Bridge } from '../../../shared/contracts/client.ts';
import { BridgeProvider } from '../app/bridge-context.tsx';
import { DemoProvider } from '../app/demo-context.tsx';
import { RegistryProvider } from '../app/registry-context.tsx';
import { buildRegistry, type Feature } from '../app/registry.ts';
import { SessionProvider } from '../app/session/session-context.tsx';
import { SessionStore } from '../app/session/store.ts';

/** A bridge whose methods answer from a table (unlisted methods fail like an unknown method would). */
export function tableBridge(
  answers: Record<string, (input: unknown, options?: { onEvent?: (e: never) => void }) => Promise<unknown>>,
): Bridge {
  return {
    call: ((method: string, input: unknown, options?: { onEvent?: (e: never) => void }) =>
      answers[method]?.(input, options) ??
      Promise.reject(new Error(`no fake answer for ${method}`))) as Bridge['call'],
  };
}

/** Renders UI inside the same providers as the app, with a fresh session store. */
export async function renderWithSession(
  ui: ReactNode,
  bridge: Bridge,
  opts: { features?: Feature[]; onConnectionLost?: (l: (reason: string) => void) => () => void } = {},
) {
  const store = new SessionStore(bridge);
  await act(async () => {
    render(
      <BridgeProvider bridge={bridge} kind="web" onConnectionLost={opts.onConnectionLost}>
        <SessionProvider store={store}>
          <DemoProvider>
            <RegistryProvider registry={buildRegistry(opts.features ?? [])}>{ui}</RegistryProvider>
          </DemoProvider>
        </SessionProvider>
      </BridgeProvider>,
    );
  });
  return store;
}
