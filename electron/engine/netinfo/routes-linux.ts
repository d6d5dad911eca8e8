import type { Gateway } from '../../../shared/contracts/network.ts';

/**
 * Default gateways from Linux's /proc/net/route (IPv4: little-endian hex) and /proc/net/ipv6_route
 * (IPv6: 32 hex digits per address, destination prefix length in hex).
 */
export function parseProcNetRoute(text: string): Gateway[] {
  const out: Gateway[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const [iface, dest, gw, flags, , , , mask] = f as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const RTF_UP = 0x1;
    const RTF_GATEWAY = 0x2;
    const fl = parseInt(flags, 16);
    if (dest !== '00000000' || mask !== '00000000' || (fl & RTF_UP) === 0 || (fl & RTF_GATEWAY) === 0)
      continue;
    out.push({ address: hexLeToIPv4(gw), family: 4, interface: iface });
  }
  return out;
}

export function parseProcNetIpv6Route(text: string): Gateway[] {
  const out: Gateway[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [dest, destLen, , , nextHop, , , , flags, iface] = f as string[];
    const RTF_GATEWAY = 0x2;
    if (!/^0+$/.test(dest!) || destLen !== '00' || (parseInt(flags!, 16) & RTF_GATEWAY) === 0) continue;
    if (/^0+$/.test(nextHop!)) continue;
    out.push({ address: hexToIPv6(nextHop!), family: 6, interface: iface ?? null });
  }
  return out;
}

function hexLeToIPv4(hex: string): string {
  const n = parseInt(hex, 16);
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff].join('.');
}

function hexToIPv6(hex: string): string {
  const groups: string[] = [];
  for (let i = 0; i < 32; i += 4) groups.push(parseInt(hex.slice(i, i + 4), 16).toString(16));
  // Compress the longest run of zero groups (RFC 5952).
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}
