/** A transport address. IPv6 addresses are stored without brackets. */
export interface Endpoint {
  address: string;
  port: number;
}

/** "ip:port", or "[v6]:port" for IPv6 — the format used in every JSON document NatScope prints. */
export function formatEndpoint(ep: Endpoint): string {
  return ep.address.includes(':') ? `[${ep.address}]:${ep.port}` : `${ep.address}:${ep.port}`;
}

/** The address part of a `formatEndpoint` string ("ip:port" or "[v6]:port"); a bare address is returned as is. */
export function hostOfEndpoint(ep: string): string {
  const bracket = /^\[([^\]]+)\]:\d+$/.exec(ep);
  if (bracket) return bracket[1]!;
  const v4 = /^([^:]+):\d+$/.exec(ep);
  return v4 ? v4[1]! : ep;
}

/** Parses "host", "host:port", "[v6]:port" or a bare IPv6 address; `defaultPort` fills a missing port. */
export function parseHostPort(input: string, defaultPort: number): { host: string; port: number } {
  const s = input.trim();
  if (s.length === 0) throw new Error('empty host');
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (bracket) return { host: bracket[1]!, port: checkPort(bracket[2], defaultPort, input) };
  const colons = s.split(':').length - 1;
  if (colons === 1) {
    const [host, port] = s.split(':') as [string, string];
    if (host.length === 0) throw new Error(`missing host in "${input}"`);
    return { host, port: checkPort(port, defaultPort, input) };
  }
  return { host: s, port: defaultPort };
}

function checkPort(raw: string | undefined, fallback: number, input: string): number {
  if (raw === undefined) return fallback;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65535) throw new Error(`invalid port in "${input}"`);
  return port;
}
