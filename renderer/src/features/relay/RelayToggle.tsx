import { useEffect } from 'react';
import { useInputPatch, useSessionState } from '../../app/session/session-context.tsx';
import { CheckField } from '../../components/Field.tsx';
import {
  EMPTY_SETTINGS,
  RELAY_SETTINGS,
  relayConfig,
  settingsComplete,
  type RelaySettings,
} from './relay-settings.ts';

/**
 * The echo step's "through relay" toggle: the call's RTP and RTCP then go through the TURN relay set
 * up in the NAT step's Relay card (the SDP advertises the relayed addresses; signalling stays direct).
 */
export function RelayToggle() {
  const [settings] = useSessionState<RelaySettings>(RELAY_SETTINGS, EMPTY_SETTINGS);
  const [on, setOn] = useSessionState('relay.echo', false);
  const patch = useInputPatch('echo', 'relay');
  const ready = settingsComplete(settings);
  useEffect(() => patch(on && ready ? { relay: relayConfig(settings) } : null), [patch, on, ready, settings]);
  return (
    <span title={ready ? undefined : 'Set up a TURN server in the NAT step’s Relay card first'}>
      <CheckField
        label={ready ? `Through relay (${settings.server})` : 'Through relay (set up in the NAT step)'}
        checked={on && ready}
        onChange={setOn}
        disabled={!ready}
      />
    </span>
  );
}
