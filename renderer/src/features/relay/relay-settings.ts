import type { MethodInput } from '../../../../shared/contracts/index.ts';
import type { NatReport } from '../../../../shared/contracts/nat.ts';
import type { RelayConfig } from '../../../../shared/contracts/relay-config.ts';
import { natFactsOf } from '../../../../shared/model/candidates.ts';

/**
 * The TURN relay the user set up in the NAT step's Relay card, shared with the echo step's
 * "through relay" toggle (one session slice). The password or secret stays in this window's memory:
 * it is sent to the host for the test and never stored or reported.
 */
export const RELAY_SETTINGS = 'relay.settings';

export interface RelaySettings {
  server: string;
  transport: 'udp' | 'tcp' | 'tls';
  auth: 'password' | 'secret';
  username: string;
  password: string;
  secret: string;
}

export const EMPTY_SETTINGS: RelaySettings = {
  server: '',
  transport: 'udp',
  auth: 'password',
  username: '',
  password: '',
  secret: '',
};

export function settingsComplete(s: RelaySettings): boolean {
  if (s.server.trim() === '') return false;
  return s.auth === 'secret' ? s.secret !== '' : s.username.trim() !== '' && s.password !== '';
}

/** The relay part of a call's input (the echo toggle) or of a TURN test. */
export function relayConfig(s: RelaySettings): RelayConfig {
  const base = { server: s.server.trim(), transport: s.transport };
  return s.auth === 'secret'
    ? { ...base, secret: s.secret, ...(s.username.trim() ? { username: s.username.trim() } : {}) }
    : { ...base, username: s.username.trim(), password: s.password };
}

/** The `turn.test` input, with the NAT step's verdict so the candidates can be judged. */
export function turnTestInput(s: RelaySettings, nat: NatReport | undefined): MethodInput<'turn.test'> {
  const c = relayConfig(s);
  return {
    ...c,
    ...(nat ? { nat: natFactsOf(nat) } : {}),
  };
}
