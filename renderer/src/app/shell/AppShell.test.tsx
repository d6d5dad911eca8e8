// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallEvent } from '../../../../shared/contracts/call.ts';
import { tableBridge, renderWithSession } from '../../testing/render-app.tsx';
import { FEATURES } from '../features.ts';
import { AppShell } from './AppShell.tsx';

afterEach(cleanup);

const info = {
  name: 'NatScope',
  version: '0',
  host: 'web',
  platform: 'test',
  nodeVersion: '24',
  electronVersion: null,
};
const defaults = {
  stunServers: ['stun.example:3478'],
  echoUri: 'sip:echo@example',
  reflector: null,
  source: 'built-in',
};

/** A host whose echo call rings forever, and whose connection the test can cut. */
function setup() {
  let emit: ((e: CallEvent) => void) | null = null;
  let lose: ((reason: string) => void) | null = null;
  const bridge = tableBridge({
    'app.info': async () => info,
    'app.checkDefaults': async () => defaults,
    'nat.defaultServers': async () => [],
    'network.snapshot': async () => ({
      platform: 'linux',
      interfaces: [],
      gateways: [],
      primary: null,
      warnings: [],
    }),
    'report.build': () => new Promise(() => {}),
    'call.echoTest': (_i: unknown, o?: { onEvent?: (e: CallEvent) => void }) =>
      new Promise(() => {
        emit = o?.onEvent ?? null;
      }),
  } as never);
  const onConnectionLost = (l: (reason: string) => void) => {
    lose = l;
    return () => {};
  };
  return { bridge, onConnectionLost, emit: (e: CallEvent) => emit?.(e), lose: (r: string) => lose?.(r) };
}

const nav = (id: string) => fireEvent.click(screen.getByTestId(`nav-${id}`));

describe('app shell', () => {
  it('keeps a running call across steps, moves focus to the heading, and fails the call when the host is gone', async () => {
    const host = setup();
    await renderWithSession(<AppShell />, host.bridge, {
      features: FEATURES,
      onConnectionLost: host.onConnectionLost,
    });
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Your connection');
    await act(async () => nav('echo'));
    expect(document.activeElement).toBe(screen.getByRole('heading', { level: 1, name: 'Echo test' }));
    fireEvent.change(screen.getByLabelText('Echo service'), { target: { value: 'custom' } });
    fireEvent.change(screen.getByLabelText('SIP URI'), { target: { value: 'sip:echo@192.0.2.1' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Start echo test' })));
    await act(async () => host.emit({ kind: 'state', state: 'calling', atMs: 5 }));
    expect(screen.getByTestId('echo-countdown').textContent).toMatch(/waiting for an answer: \d+ s left/);

    // Away and back: the call is still there, still running, and the sidebar says so.
    await act(async () => nav('network'));
    expect(screen.getByTestId('nav-echo').dataset.mark).toBe('running');
    await act(async () => nav('echo'));
    expect(screen.getByRole('button', { name: 'Hang up' })).toBeTruthy();
    expect((screen.getByLabelText('SIP URI') as HTMLInputElement).value).toBe('sip:echo@192.0.2.1');

    await act(async () => host.lose('the NatScope web host closed the connection'));
    expect(screen.getByTestId('connection-lost').textContent).toContain('closed the connection');
    expect(screen.getByRole('button', { name: 'Start echo test' })).toBeTruthy();
    expect(screen.getAllByRole('alert').some((a) => a.textContent?.includes('The call was cut off'))).toBe(
      true,
    );
    // A whole app rendered in jsdom: slow on a loaded machine; this is not a timing assertion.
  }, 30_000);
});
