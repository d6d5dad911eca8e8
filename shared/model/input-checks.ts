/**
 * Checks for what users type as a server or a SIP URI, with messages that say what is wrong. Used
 * by the contract schemas, so the CLI and the UI refuse the same input in the same words instead of
 * failing later (or silently using port 0, or an unknown transport).
 */
import { parseHostPort } from './endpoint.ts';

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62}))*\.?$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Transports a SIP URI's `;transport=` may name (RFC 3261 §19.1.1, RFC 7118 for ws/wss). */
export const SIP_URI_TRANSPORTS = ['udp', 'tcp', 'tls', 'sctp', 'ws', 'wss'] as const;

function isIpv4(s: string): boolean {
  const m = IPV4.exec(s);
  return m !== null && m.slice(1).every((o) => Number(o) <= 255);
}

/** RFC 4291 §2.2 text forms, with an optional zone (fe80::1%eth0). */
function isIpv6(s: string): boolean {
  const addr = s.replace(/%[\w.-]+$/, '');
  const halves = addr.split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap((h) => (h === '' ? [] : h.split(':')));
  const last = groups[groups.length - 1] ?? '';
  const v4Tail = last.includes('.');
  if (v4Tail && !isIpv4(last)) return false;
  const hex = v4Tail ? groups.slice(0, -1) : groups;
  if (!hex.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  const count = hex.length + (v4Tail ? 2 : 0);
  return halves.length === 2 ? count <= 7 : count === 8;
}

function hostProblem(host: string, input: string): string | null {
  if (host.includes(':')) return isIpv6(host) ? null : `"${input}": "${host}" is not an IPv6 address`;
  if (/^[\d.]+$/.test(host)) return isIpv4(host) ? null : `"${input}": "${host}" is not an IPv4 address`;
  return HOSTNAME.test(host) ? null : `"${input}": "${host}" is not a host name or address`;
}

/** Why "host", "host:port", "[v6]:port" or a bare IPv6 address is unusable; null when it is fine. */
export function hostPortProblem(input: string): string | null {
  let parsed;
  try {
    parsed = parseHostPort(input, 1);
  } catch (err) {
    const m = /invalid port in/.test((err as Error).message)
      ? `"${input}": the port must be a number from 1 to 65535`
      : `"${input}": ${(err as Error).message}`;
    return m;
  }
  return hostProblem(parsed.host, input);
}

/**
 * Why a sip:/sips: URI is unusable (RFC 3261 §19.1.1: sip:user@host:port;params): no host, a port
 * outside 1–65535 (port 0 included), an unknown `;transport=`. Null when it is fine.
 */
export function sipUriProblem(uri: string): string | null {
  const m = /^(sips?):(?:([^@]*)@)?(\[[^\]]*\]|[^:;?]*)(?::([^;?]*))?(;[^?]*)?(\?.*)?$/i.exec(uri);
  if (!m)
    return `"${uri}" is not a SIP URI: expected sip:user@host[:port], e.g. sip:9196@conference.freeswitch.org`;
  const [, , , rawHost = '', port, params = ''] = m;
  if (!rawHost) return `"${uri}" has no host: expected sip:user@host[:port]`;
  const host = rawHost.startsWith('[') ? rawHost.slice(1, -1) : rawHost;
  if (rawHost.startsWith('[') && !host.includes(':')) return `"${uri}": "${rawHost}" is not an IPv6 address`;
  const hostIssue = hostProblem(host, uri);
  if (hostIssue) return hostIssue;
  if (port !== undefined && (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535))
    return `"${uri}": port ${port || '(empty)'} is not a port (1–65535)`;
  for (const p of params.split(';').slice(1)) {
    const [name = '', value = ''] = p.split('=');
    if (name.toLowerCase() !== 'transport') continue;
    if (!(SIP_URI_TRANSPORTS as readonly string[]).includes(value.toLowerCase()))
      return `"${uri}": unknown transport "${value}" (known: ${SIP_URI_TRANSPORTS.join(', ')})`;
  }
  return null;
}
