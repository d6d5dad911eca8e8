// @vitest-environment jsdom
import { screen, cleanup } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Bridge } from '../../../../shared/contracts/client.ts';
import type { NetworkSnapshot } from '../../../../shared/contracts/network.ts';
import { NatScopeError } from '../../../../shared/contracts/errors.ts';
import { renderWithSession } from '../../testing/render-app.tsx';
import { NetworkStep } from './NetworkStep.tsx';

const snapshot: NetworkSnapshot = {
  platform: 'linux',
  interfaces: [
    {
      name: 'eth0',
      mac: null,
      addresses: [{ address: '100.64.3.4', family: 4, prefixLength: 10, class: 'cgnat', internal: false }],
    },
  ],
  gateways: [{ address: '100.64.0.1', family: 4, interface: 'eth0' }],
  primary: { address: '100.64.3.4', interface: 'eth0', class: 'cgnat' },
  warnings: ['could not read the routing table: test'],
};

function fakeBridge(result: () => Promise<unknown>): Bridge {
  return { call: (() => result()) as Bridge['call'] };
}

async function renderStep(bridge: Bridge) {
  await renderWithSession(<NetworkStep />, bridge);
}

afterEach(cleanup);

describe('NetworkStep', () => {
  it('shows addresses with their class, the gateway and warnings', async () => {
    await renderStep(fakeBridge(async () => snapshot));
    expect(screen.getByRole('cell', { name: '100.64.3.4' })).toBeTruthy();
    expect(screen.getAllByText('Shared / CGNAT (RFC 6598, 100.64/10)').length).toBe(2);
    expect(screen.getByTestId('gateways').textContent).toContain('100.64.0.1');
    expect(screen.getByText('could not read the routing table: test')).toBeTruthy();
  });

  it('shows a service error instead of stale data', async () => {
    await renderStep(fakeBridge(async () => Promise.reject(new NatScopeError('internal', 'boom'))));
    expect(screen.getByRole('alert').textContent).toContain('Could not read the network: boom');
  });
});
