// The regex-free IP parsers (issue #19: the companion parses every datagram's source) against the
// regex implementation they replaced, on valid spellings and on random near-misses.
import { describe, expect, it } from 'vitest';
import { ipToBytes, ipv4ToNumber, ipv6ToGroups, mappedIpv4, normalizeIp } from './ip.ts';

/** The previous parsers (split + regex), kept here as the reference. */
function refV4(s: string): number[] | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return null;
    out.push(Number(p));
  }
  return out;
}
function refV6(input: string): number[] | null {
  let s = input;
  const pct = s.indexOf('%');
  if (pct >= 0) s = s.slice(0, pct);
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return null;
  if (s.includes('.')) {
    const lastColon = s.lastIndexOf(':');
    const v4 = refV4(s.slice(lastColon + 1));
    if (!v4) return null;
    s = `${s.slice(0, lastColon + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const parse = (h: string): number[] | null => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  if (!head || !rest) return null;
  const explicit = [...head, ...rest];
  if (halves.length === 2) {
    const fill = 8 - explicit.length;
    if (fill < 1) return null;
    return [...head, ...new Array<number>(fill).fill(0), ...rest];
  }
  return explicit.length === 8 ? explicit : null;
}
function refBytes(s: string): number[] | null {
  const v4 = refV4(s);
  if (v4) return v4;
  const g = refV6(s);
  return g ? g.flatMap((x) => [x >> 8, x & 0xff]) : null;
}
function bytesOrNull(s: string): number[] | null {
  try {
    return [...ipToBytes(s)];
  } catch {
    return null;
  }
}

const VALID = [
  '0.0.0.0',
  '255.255.255.255',
  '192.0.2.1',
  '010.001.000.009',
  '::',
  '::1',
  '1::',
  'fe80::1%eth0',
  '2001:db8::1',
  '2001:0db8:0000:0000:0001:0000:0000:0001',
  '2001:DB8:0:1:FFFF:ffff:0:2',
  '1:2:3:4:5:6:7:8',
  '1:2:3:4:5:6:7::',
  '::2:3:4:5:6:7:8',
  '::ffff:192.0.2.1',
  '64:ff9b::192.0.2.33',
  '1:2:3:4:5:6:1.2.3.4',
  '::1.2.3.4',
];
const INVALID = [
  '',
  '1.2.3',
  '1.2.3.4.5',
  '256.1.1.1',
  '1..2.3',
  '1.2.3.4 ',
  ':',
  ':::',
  ':1::',
  '1:',
  '1:::2',
  '1::2::3',
  '12345::',
  '1:2:3:4:5:6:7:8:9',
  '::1:2:3:4:5:6:7:8',
  '1:2:3:4:5:6:7:1.2.3.4',
  '1.2.3.4::',
  '::1.2.3.4.5',
  'g::1',
  '%eth0',
];

describe('IP parsing without regex', () => {
  it('agrees with the regex parsers on valid and invalid spellings', () => {
    for (const s of [...VALID, ...INVALID]) expect(bytesOrNull(s), s).toEqual(refBytes(s));
    for (const s of VALID) expect(bytesOrNull(s), s).not.toBeNull();
    for (const s of INVALID) expect(bytesOrNull(s), s).toBeNull();
  });

  it('agrees on 50 000 random near-addresses', () => {
    let seed = 19;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n) | 0;
    const alphabet = '0123456789abcdefABCDEF:::...%xg ';
    for (let k = 0; k < 50_000; k++) {
      let s: string;
      if (k % 2) {
        const base = VALID[rand(VALID.length)]!.split('');
        for (let m = rand(3) + 1; m > 0; m--) {
          const at = rand(base.length + 1);
          const op = rand(3);
          if (op === 0) base.splice(at, 1);
          else if (op === 1) base.splice(at, 0, alphabet[rand(alphabet.length)]!);
          else base[at] = alphabet[rand(alphabet.length)]!;
        }
        s = base.join('');
      } else s = Array.from({ length: rand(20) }, () => alphabet[rand(alphabet.length)]).join('');
      expect(bytesOrNull(s), JSON.stringify(s)).toEqual(refBytes(s));
    }
  });

  it('numbers: IPv4 value, mapped IPv4, IPv6 groups', () => {
    expect(ipv4ToNumber('203.0.113.7')).toBe(0xcb007107);
    expect(ipv4ToNumber('255.255.255.255')).toBe(0xffffffff);
    expect(ipv4ToNumber('::1')).toBe(-1);
    expect(mappedIpv4('::FFFF:203.0.113.7')).toBe(0xcb007107);
    expect(mappedIpv4('::fffe:203.0.113.7')).toBe(-1);
    const g = new Uint16Array(8);
    expect(ipv6ToGroups('2001:db8::1:2', g)).toBe(true);
    expect([...g]).toEqual([0x2001, 0xdb8, 0, 0, 0, 0, 1, 2]);
    expect(ipv6ToGroups('203.0.113.7', g)).toBe(false);
  });

  it('normalizeIp: canonical text, mapped IPv4 unwrapped, anything else as given', () => {
    expect(normalizeIp('203.0.113.7')).toBe('203.0.113.7');
    expect(normalizeIp('203.000.113.07')).toBe('203.0.113.7');
    expect(normalizeIp('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(normalizeIp('2001:0DB8::0001')).toBe('2001:db8::1');
    expect(normalizeIp('not an address')).toBe('not an address');
  });
});
