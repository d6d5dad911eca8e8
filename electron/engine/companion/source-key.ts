/**
 * The unit every per-source limit counts: an IPv4 address (/32), or an IPv6 /64 — one subscriber
 * typically holds a whole /64 (RFC 6177), so keying on the full IPv6 address would give one host
 * 2^64 "sources". IPv4-mapped IPv6 addresses count as their IPv4 address. A string key keeps the
 * limit tables simple; an IPv4 source (the common case) costs no allocation.
 */
export function sourceKey(address: string): string {
  if (!address.includes(':')) return address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  return `${ipv6Prefix64(address)}::/64`;
}

/** The first four 16-bit groups of an IPv6 address, normalised ("2001:db8:0:1"). */
function ipv6Prefix64(address: string): string {
  const addr = address.replace(/%.*$/, '').toLowerCase();
  const [head = '', tail] = addr.split('::', 2);
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups =
    tail === undefined
      ? left
      : [...left, ...new Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return groups
    .slice(0, 4)
    .map((g) => (g.includes('.') ? g : parseInt(g || '0', 16).toString(16)))
    .join(':');
}
