/**
 * Classifies an IP address by the range it falls in. Pure (no node:net) so the renderer and the
 * diagnosis rules can use it too. Ranges: RFC 1918 private, RFC 6598 shared address space (CGNAT),
 * RFC 3927 / RFC 4291 link-local, RFC 4193 ULA, RFC 5737 / RFC 3849 documentation.
 */
export type AddressClass =
  | 'loopback'
  | 'link-local'
  | 'private'
  | 'cgnat'
  | 'ula'
  | 'documentation'
  | 'multicast'
  | 'unspecified'
  | 'public';

export const ADDRESS_CLASS_LABEL: Record<AddressClass, string> = {
  loopback: 'Loopback',
  'link-local': 'Link-local',
  private: 'Private (RFC 1918)',
  cgnat: 'Shared / CGNAT (RFC 6598, 100.64/10)',
  ula: 'Unique local (ULA, fc00::/7)',
  documentation: 'Documentation range (RFC 5737 / 3849)',
  multicast: 'Multicast',
  unspecified: 'Unspecified',
  public: 'Public',
};

export function parseIPv4(s: string): number[] | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out.push(n);
  }
  return out;
}

/** Expands an IPv6 address (with optional zone and embedded IPv4) into 8 16-bit groups. */
export function parseIPv6(s: string): number[] | null {
  let addr = s.split('%')[0]!.toLowerCase();
  if (!/^[0-9a-f:.]+$/.test(addr) || !addr.includes(':')) return null;
  const lastColon = addr.lastIndexOf(':');
  const last = addr.slice(lastColon + 1);
  if (last.includes('.')) {
    // Embedded IPv4 (::ffff:192.0.2.1): rewrite the dotted quad as two hex groups.
    const v4 = parseIPv4(last);
    if (!v4) return null;
    addr = `${addr.slice(0, lastColon + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const halves = addr.split('::');
  if (halves.length > 2) return null;
  const left = halves[0] === '' ? [] : halves[0]!.split(':');
  const right = halves.length === 2 && halves[1] !== '' ? halves[1]!.split(':') : [];
  let groups: string[];
  if (halves.length === 2) {
    const fill = 8 - left.length - right.length;
    if (fill < 1) return null;
    groups = [...left, ...Array<string>(fill).fill('0'), ...right];
  } else {
    groups = left;
  }
  if (groups.length !== 8) return null;
  const out: number[] = [];
  for (const g of groups) {
    if (!/^[0-9a-f]{1,4}$/.test(g)) return null;
    out.push(parseInt(g, 16));
  }
  return out;
}

export function classifyAddress(address: string): AddressClass {
  const v4 = parseIPv4(address);
  if (v4) return classifyV4(v4);
  const v6 = parseIPv6(address);
  if (!v6) throw new Error(`not an IP address: "${address}"`);
  if (v6.every((g) => g === 0)) return 'unspecified';
  if (v6.slice(0, 7).every((g) => g === 0) && v6[7] === 1) return 'loopback';
  // IPv4-mapped ::ffff:a.b.c.d — classify the embedded IPv4 address.
  if (v6.slice(0, 5).every((g) => g === 0) && v6[5] === 0xffff) {
    return classifyV4([v6[6]! >> 8, v6[6]! & 0xff, v6[7]! >> 8, v6[7]! & 0xff]);
  }
  const g0 = v6[0]!;
  if ((g0 & 0xffc0) === 0xfe80) return 'link-local';
  if ((g0 & 0xfe00) === 0xfc00) return 'ula';
  if ((g0 & 0xff00) === 0xff00) return 'multicast';
  if (g0 === 0x2001 && v6[1] === 0x0db8) return 'documentation';
  return 'public';
}

/** The class of an address a peer reported, or null when it is missing or not an IP address. */
export function classifyReportedAddress(address: string | null): AddressClass | null {
  if (!address) return null;
  try {
    return classifyAddress(address);
  } catch {
    return null;
  }
}

function classifyV4([a, b, c]: number[]): AddressClass {
  if (a === 0) return 'unspecified';
  if (a === 127) return 'loopback';
  if (a === 169 && b === 254) return 'link-local';
  if (a === 10 || (a === 172 && b! >= 16 && b! <= 31) || (a === 192 && b === 168)) return 'private';
  if (a === 100 && b! >= 64 && b! <= 127) return 'cgnat';
  if (
    (a === 192 && b === 0 && c === 2) ||
    (a === 198 && b === 51 && c === 100) ||
    (a === 203 && b === 0 && c === 113)
  )
    return 'documentation';
  if (a! >= 224 && a! <= 239) return 'multicast';
  return 'public';
}

/** True for addresses that are not reachable from the internet (anything but public/documentation). */
export function isPrivateClass(cls: AddressClass): boolean {
  return cls !== 'public' && cls !== 'documentation';
}
