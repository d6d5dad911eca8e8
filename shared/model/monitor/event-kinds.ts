/**
 * What the monitor reports as events, with stable ids (history files, `--json` and scripts key on
 * them). Each fires on a change between two intervals, never on every interval of a lasting state.
 */
export const MONITOR_EVENT_KINDS = [
  'public-ip-changed',
  'mapped-port-changed',
  'mapping-behaviour-changed',
  'router-rebooted',
  'mapping-vanished',
  'registration-failed',
  'loss-burst',
  'mos-drop',
  'one-way-audio',
  'stun-unreachable',
] as const;
export type MonitorEventKind = (typeof MONITOR_EVENT_KINDS)[number];

/** Labels for summaries ("3 public IP changes"): singular, plural. */
export const EVENT_LABEL: Record<MonitorEventKind, [string, string]> = {
  'public-ip-changed': ['public IP change', 'public IP changes'],
  'mapped-port-changed': ['mapped port change', 'mapped port changes'],
  'mapping-behaviour-changed': ['NAT behaviour change', 'NAT behaviour changes'],
  'router-rebooted': ['router reboot', 'router reboots'],
  'mapping-vanished': ['vanished mapping', 'vanished mappings'],
  'registration-failed': ['registration failure', 'registration failures'],
  'loss-burst': ['loss burst', 'loss bursts'],
  'mos-drop': ['MOS drop', 'MOS drops'],
  'one-way-audio': ['one-way audio call', 'one-way audio calls'],
  'stun-unreachable': ['STUN outage', 'STUN outages'],
};
