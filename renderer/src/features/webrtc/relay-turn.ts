import { settingsComplete, type RelaySettings } from '../relay/relay-settings.ts';
import type { WebrtcForm } from './WebrtcSettings.tsx';

/**
 * The NAT step's Relay card (its TURN server, issue #15) as the WebRTC echo's TURN fields, so a user
 * who set up a relay there does not type it again. Only user + password accounts: a browser's
 * RTCPeerConnection takes a TURN user name and credential, not a shared secret. Null when the
 * card has no complete password account.
 */
export function turnFromRelay(
  s: RelaySettings,
): Pick<WebrtcForm, 'turn' | 'turnUser' | 'turnPassword'> | null {
  if (!settingsComplete(s) || s.auth !== 'password') return null;
  const host = s.server.trim();
  const turn =
    s.transport === 'tls'
      ? `turns:${host}?transport=tcp`
      : s.transport === 'tcp'
        ? `turn:${host}?transport=tcp`
        : `turn:${host}`;
  return { turn, turnUser: s.username.trim(), turnPassword: s.password };
}
