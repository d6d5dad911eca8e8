/**
 * IP address text <-> bytes for the address attributes (RFC 8489 §14.1/§14.2). Output follows
 * RFC 5952 (lower case, longest run of zero groups compressed) so addresses compare as strings.
 */
import { StunError } from './errors.ts';

export function ipToBytes(ip: string): Uint8Array {
  const v4 = ipv4ToNumber(ip);
  if (v4 >= 0) return new Uint8Array([v4 >>> 24, (v4 >>> 16) & 0xff, (v4 >>> 8) & 0xff, v4 & 0xff]);
  const groups = new Uint16Array(8);
  if (!ipv6ToGroups(ip, groups)) throw new StunError('bad-value', `not an IP address: "${ip}"`);
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[i * 2] = groups[i]! >>> 8;
    out[i * 2 + 1] = groups[i]! & 0xff;
  }
  return out;
}

export function ipFamily(ip: string): 4 | 6 {
  return ipToBytes(ip).length === 4 ? 4 : 6;
}

export function bytesToIp(b: Uint8Array): string {
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  if (b.length !== 16) throw new StunError('bad-value', `address of ${b.length} bytes`);
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i]! << 8) | b[i + 1]!);
  // longest run (length >= 2) of zero groups, first one on a tie (RFC 5952 §4.2)
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Normalises "::ffff:1.2.3.4" (dual-stack sockets) to "1.2.3.4"; other input is canonicalised. */
export function normalizeIp(ip: string): string {
  const v4 = ipv4ToNumber(ip);
  if (v4 >= 0) return canonicalV4(ip, v4);
  const mapped = mappedIpv4(ip);
  if (mapped >= 0) return canonicalV4(ip.slice(7), mapped);
  try {
    return bytesToIp(ipToBytes(ip));
  } catch {
    return ip;
  }
}

/** "203.0.113.7" as it is; "203.000.113.07" (leading zeros, which parse) without them. */
function canonicalV4(text: string, n: number): string {
  const dotted = `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
  return dotted === text ? text : dotted;
}

/**
 * Dotted-quad IPv4 text → its 32-bit value (0 … 2^32−1), or −1 when it is not one. A character loop,
 * no regex and no allocation: the companion server calls it for every datagram (issue #19).
 */
export function ipv4ToNumber(s: string, start = 0): number {
  const n = s.length - start;
  if (n < 7 || n > 15) return -1;
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 /* . */) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      part = part * 10 + (c - 48);
      if (part > 255) return -1;
      digits++;
    } else return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + part;
}

/** "::ffff:a.b.c.d" (an IPv4 peer on a dual-stack socket) → the IPv4 value, else −1. */
/** The 16 bytes at b[offset…] are ::ffff:a.b.c.d (RFC 4291 §2.5.5.2), an IPv4 address in IPv6 form. */
export function isV4MappedBytes(b: Uint8Array, offset = 0): boolean {
  for (let k = 0; k < 10; k++) if (b[offset + k] !== 0) return false;
  return b[offset + 10] === 0xff && b[offset + 11] === 0xff;
}

export function mappedIpv4(s: string): number {
  if (s.length < 14 || s.charCodeAt(0) !== 58 || s.charCodeAt(1) !== 58 || s.charCodeAt(6) !== 58) return -1;
  for (let i = 2; i < 6; i++) if ((s.charCodeAt(i) | 0x20) !== 102 /* f */) return -1;
  return ipv4ToNumber(s, 7);
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

/**
 * IPv6 text (RFC 4291 §2.2: "::" once, an IPv4 tail, a zone after "%" ignored) → eight 16-bit
 * groups in `out`; false when it is not an IPv6 address. No regex, no allocation.
 */
export function ipv6ToGroups(input: string, out: Uint16Array | number[]): boolean {
  let end = input.indexOf('%');
  if (end < 0) end = input.length; // the zone id is not part of the address on the wire
  let n = 0; // groups written before "::"
  let gap = -1; // index in out where "::" stands
  let i = 0;
  if (end >= 2 && input.charCodeAt(0) === 58 && input.charCodeAt(1) === 58) {
    gap = 0;
    i = 2;
    if (i === end) {
      for (let k = 0; k < 8; k++) out[k] = 0;
      return true;
    }
  }
  while (i < end) {
    if (n === 8) return false;
    // an IPv4 tail: the rest holds a dot before the next colon
    let j = i;
    while (j < end && input.charCodeAt(j) !== 58 && input.charCodeAt(j) !== 46) j++;
    if (j < end && input.charCodeAt(j) === 46) {
      if (n > 6) return false;
      const v4 = ipv4ToNumber(input.slice(i, end));
      if (v4 < 0) return false;
      out[n++] = v4 >>> 16;
      out[n++] = v4 & 0xffff;
      break;
    }
    let g = 0;
    let digits = 0;
    for (; i < end; i++) {
      const d = hexDigit(input.charCodeAt(i));
      if (d < 0) break;
      if (++digits > 4) return false;
      g = g * 16 + d;
    }
    if (digits === 0) return false;
    out[n++] = g;
    if (i === end) break;
    if (input.charCodeAt(i) !== 58) return false;
    i++;
    if (i < end && input.charCodeAt(i) === 58) {
      if (gap >= 0) return false;
      gap = n;
      i++;
      if (i === end) break;
    } else if (i === end) return false; // a trailing single ":"
  }
  if (gap < 0) return n === 8;
  if (n > 7) return false; // "::" must stand for at least one group
  const tail = n - gap;
  for (let k = 0; k < tail; k++) out[7 - k] = out[n - 1 - k]!;
  for (let k = gap; k < 8 - tail; k++) out[k] = 0;
  return true;
}
