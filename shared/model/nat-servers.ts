/**
 * Built-in public STUN servers (the user can edit the list in the UI / pass --server). `rfc5780`
 * marks servers known to run behaviour discovery (OTHER-ADDRESS + honoured CHANGE-REQUEST, per the
 * always-online-stun NAT-testing list); NatScope re-checks this at run time and never trusts the flag
 * for a verdict.
 */
import type { NatServerListEntry } from '../contracts/nat.ts';

export const DEFAULT_STUN_PORT = 3478;

export const DEFAULT_NAT_SERVERS: readonly NatServerListEntry[] = [
  { host: 'stun.freeswitch.org', port: 3478, rfc5780: true },
  { host: 'stun.nextcloud.com', port: 3478, rfc5780: true },
  { host: 'stun.telnyx.com', port: 3478, rfc5780: true },
  { host: 'stun.signalwire.com', port: 3478, rfc5780: true },
  { host: 'stun.sipgate.net', port: 3478, rfc5780: false, note: 'mapped address only' },
  { host: 'stun.l.google.com', port: 19302, rfc5780: false, note: 'mapped address only' },
  { host: 'stun.cloudflare.com', port: 3478, rfc5780: false, note: 'mapped address only' },
];

/** The servers used when the user names none: the first two RFC 5780 ones (two, so results can be compared). */
export function defaultDiscoveryServers(list: readonly NatServerListEntry[] = DEFAULT_NAT_SERVERS): string[] {
  return list
    .filter((s) => s.rfc5780)
    .slice(0, 2)
    .map((s) => `${s.host}:${s.port}`);
}
