// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebrtcResult } from '../../../../shared/contracts/webrtc.ts';
import { renderWithSession, tableBridge } from '../../testing/render-app.tsx';
import { initialWebrtcView, WEBRTC_VIEW, type WebrtcView } from './webrtc-controller.ts';
import { WebrtcStep } from './WebrtcStep.tsx';
import { webrtcInput, EMPTY_WEBRTC_FORM } from './WebrtcSettings.tsx';
import { EMPTY_SETTINGS, RELAY_SETTINGS } from '../relay/relay-settings.ts';
import { turnFromRelay } from './relay-turn.ts';

afterEach(cleanup);

describe('WebRTC step', () => {
  it('starts only with a ws(s):// URL and a SIP URI', async () => {
    await renderWithSession(<WebrtcStep />, tableBridge({}));
    const start = screen.getByRole('button', { name: 'Start WebRTC echo' }) as HTMLButtonElement;
    expect(start.disabled).toBe(true);
    fireEvent.change(screen.getByLabelText('SIP WebSocket'), { target: { value: 'https://pbx/ws' } });
    fireEvent.change(screen.getByLabelText('Echo extension'), { target: { value: 'sip:9196@pbx' } });
    expect(start.disabled).toBe(true);
    fireEvent.change(screen.getByLabelText('SIP WebSocket'), { target: { value: 'wss://pbx:8089/ws' } });
    expect(start.disabled).toBe(false);
  });

  it('the form becomes the run input: ICE servers with credentials, relay only needs a TURN server', () => {
    const base = { ...EMPTY_WEBRTC_FORM, wsUrl: 'wss://pbx/ws', target: 'sip:9196@pbx' };
    expect(webrtcInput({ ...base, relayOnly: true })!.iceTransportPolicy).toBe('all');
    const i = webrtcInput({
      ...base,
      stun: 'stun:stun.example:3478',
      turn: 'turn:turn.example:443?transport=tcp',
      turnUser: 'u',
      turnPassword: 'p',
      relayOnly: true,
      useAccount: true,
      user: '1001',
      password: 'pw',
    })!;
    expect(i.iceServers).toEqual([
      { urls: ['stun:stun.example:3478'] },
      { urls: ['turn:turn.example:443?transport=tcp'], username: 'u', credential: 'p' },
    ]);
    expect(i).toMatchObject({ iceTransportPolicy: 'relay', account: { username: '1001', password: 'pw' } });
  });

  it('shows a finished run: the chosen pair, and the findings with their advice', async () => {
    const store = await renderWithSession(<WebrtcStep />, tableBridge({}));
    const cand = (type: 'relay' | 'host', address: string) => ({
      type,
      protocol: 'udp' as const,
      address,
      port: 3478,
      relayProtocol: type === 'relay' ? ('tcp' as const) : null,
    });
    const result = {
      ice: {
        localCandidates: [cand('relay', '203.0.113.10')],
        policy: 'all',
        selectedPair: {
          local: cand('relay', '203.0.113.10'),
          remote: cand('host', '198.51.100.5'),
          rttMs: 9,
        },
        serverErrors: [],
        iceState: 'connected',
        connectedAfterMs: 120,
      },
      websocket: { message: 'open' },
      dtls: { state: 'connected', srtpCipher: 'AES_CM_128_HMAC_SHA1_80' },
      audio: { codec: 'PCMU', packetsSent: 1, packetsReceived: 1, echoHeard: true },
      samples: [],
      stats: null,
      findings: [
        {
          id: 'webrtc-relay-only',
          area: 'webrtc',
          severity: 'warning',
          title: 'WebRTC works only through the TURN relay',
          evidence: {},
          advice: ['Allow outbound UDP'],
          references: [],
        },
      ],
    } as unknown as WebrtcResult;
    act(() => store.setSlice<WebrtcView>(WEBRTC_VIEW, { ...initialWebrtcView, result }));
    expect(screen.getByTestId('webrtc-pair').textContent).toContain(
      'relay via TURN/TCP UDP 203.0.113.10:3478',
    );
    expect(screen.getByTestId('webrtc-pair').textContent).toContain('through the relay');
    expect(screen.getByTestId('webrtc-findings').textContent).toContain('Allow outbound UDP');
  });

  it("offers the Relay card's TURN server (user + password accounts only) and fills the TURN fields", async () => {
    const relay = { ...EMPTY_SETTINGS, server: 'turn.example:443', username: 'u', password: 'p' };
    expect(turnFromRelay({ ...relay, transport: 'tls' })!.turn).toBe('turns:turn.example:443?transport=tcp');
    expect(turnFromRelay({ ...relay, auth: 'secret', secret: 's' })).toBeNull();
    expect(turnFromRelay({ ...relay, password: '' })).toBeNull();

    const store = await renderWithSession(<WebrtcStep />, tableBridge({}));
    expect(screen.queryByRole('button', { name: /Relay card/ })).toBeNull();
    act(() => store.setSlice(RELAY_SETTINGS, { ...relay, transport: 'tcp' }));
    fireEvent.click(screen.getByRole('button', { name: /Use the Relay card's TURN server/ }));
    expect((screen.getByLabelText('TURN server') as HTMLInputElement).value).toBe(
      'turn:turn.example:443?transport=tcp',
    );
    expect((screen.getByLabelText('TURN user') as HTMLInputElement).value).toBe('u');
    expect((screen.getByLabelText('TURN password') as HTMLInputElement).value).toBe('p');
    expect(screen.queryByRole('button', { name: /Relay card/ })).toBeNull();
  });
});
