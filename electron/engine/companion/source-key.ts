/**
 * The unit every per-source limit counts: an IPv4 address (/32), or an IPv6 /64 — one subscriber
 * typically holds a whole /64 (RFC 6177), so keying on the full IPv6 address would give one host
 * 2^64 "sources". IPv4-mapped IPv6 addresses count as their IPv4 address.
 *
 * Two forms: `sourceKey` (a string, for the tables of calls and connections) and `sourceKeyWords`
 * (three numbers for the rate limiters' SourceBuckets, computed per datagram without a regex or an
 * allocation).
 */
import { ipv4ToNumber, ipv6ToGroups, isV4MappedBytes, mappedIpv4 } from '../stun/ip.ts';

export function sourceKey(address: string): string {
  if (!address.includes(':')) return address;
  const mapped = mappedIpv4(address);
  if (mapped >= 0) return address.slice(7);
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

export const KEY_IPV4 = 4;
export const KEY_IPV6_64 = 6;
export const KEY_OTHER = 1;

const groups = new Uint16Array(8);

/** FNV-1a over the string's UTF-16 code units, from `basis`. */
function fnv(s: string, basis: number): number {
  let h = basis;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * The source key of `address` as [tag, hi, lo] in `out`: (4, 0, IPv4) for IPv4 and mapped IPv4,
 * (6, first 32 bits, next 32 bits) for an IPv6 /64, and (1, hash, hash) for any other text
 * (a 64-bit FNV-1a pair, so unrelated keys practically never share a bucket).
 */
export function sourceKeyWords(address: string, out: Uint32Array): void {
  let v4 = ipv4ToNumber(address);
  if (v4 < 0) v4 = mappedIpv4(address);
  if (v4 >= 0) {
    out[0] = KEY_IPV4;
    out[1] = 0;
    out[2] = v4;
  } else if (ipv6ToGroups(address, groups)) {
    out[0] = KEY_IPV6_64;
    out[1] = (groups[0]! << 16) | groups[1]!;
    out[2] = (groups[2]! << 16) | groups[3]!;
  } else {
    out[0] = KEY_OTHER;
    out[1] = fnv(address, 0x811c9dc5);
    out[2] = fnv(address, 0x050c5d1f);
  }
}

const u32At = (b: Uint8Array, p: number) =>
  ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;

/**
 * sourceKeyWords for an address given as bytes at b[offset…] (4: IPv4, 16: IPv6, network order),
 * as batched sockets deliver it: the same key as its text form would get, without the text.
 */
export function sourceKeyWordsOfBytes(b: Uint8Array, offset: number, length: 4 | 16, out: Uint32Array): void {
  if (length === 4 || isV4MappedBytes(b, offset)) {
    out[0] = KEY_IPV4;
    out[1] = 0;
    out[2] = u32At(b, offset + length - 4);
  } else {
    out[0] = KEY_IPV6_64;
    out[1] = u32At(b, offset);
    out[2] = u32At(b, offset + 4);
  }
}
