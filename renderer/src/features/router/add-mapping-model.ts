import type { RouterMapping } from '../../../../shared/contracts/router.ts';

/** "5060" or "16384-16393": a port or an inclusive range (at most MAX_RANGE ports). */
export const MAX_RANGE = 100;

export function parsePorts(text: string): { from: number; to: number } | string {
  const m = /^\s*(\d{1,5})\s*(?:[-–]\s*(\d{1,5})\s*)?$/.exec(text);
  if (!m) return 'a port (5060) or a range (16384-16393)';
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (from < 1 || to > 65535 || to < from) return 'ports go from 1 to 65535, the range upwards';
  if (to - from + 1 > MAX_RANGE) return `at most ${MAX_RANGE} ports at once`;
  return { from, to };
}

export interface Conflict {
  port: number;
  /** Another host's mapping: the router refuses (718) or the other host loses it. */
  otherHost: RouterMapping | null;
  /** NatScope's own mapping: it is replaced. */
  own: RouterMapping | null;
}

/** Existing mappings the new ones would collide with (same protocol and external port). */
export function conflicts(
  existing: RouterMapping[],
  protocol: 'udp' | 'tcp',
  ports: { from: number; to: number },
  localAddress: string | null,
): Conflict[] {
  const out: Conflict[] = [];
  for (const m of existing) {
    if (m.protocol !== protocol || m.externalPort < ports.from || m.externalPort > ports.to) continue;
    const ours = m.createdByNatScope || (localAddress !== null && m.internalClient === localAddress);
    out.push({ port: m.externalPort, otherHost: ours ? null : m, own: ours ? m : null });
  }
  return out.sort((a, b) => a.port - b.port);
}

/** The first SIP-ish port (5060, 5062, …) no other host has mapped: a sensible default. */
export function freeSipPort(existing: RouterMapping[], protocol: 'udp' | 'tcp'): number {
  for (let p = 5060; p < 5100; p += 2)
    if (!existing.some((m) => m.protocol === protocol && m.externalPort === p && !m.createdByNatScope))
      return p;
  return 5060;
}
