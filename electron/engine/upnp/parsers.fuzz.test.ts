// Parser fuzz tests: SSDP answers, device XML, SOAP answers, HTTP framing, NAT-PMP and PCP packets.
// Seeded mutations of real answers plus random bytes; every input must end in a value or an Error
// (never another throw, a hang, or a prototype change), within a time budget.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeExternalAddressResponse, decodeMapResponse } from '../natpmp/natpmp-codec.ts';
import { decodeResponse } from '../pcp/pcp-codec.ts';
import { parseDeviceDescription } from './device-description.ts';
import { parseHttpResponse } from './http.ts';
import { entryFromValues } from './igd-client.ts';
import { parseSoapResponse } from './soap.ts';
import { parseSsdpResponse } from './ssdp.ts';
import { prng } from '../testing/prng.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`../../../test/fixtures/upnp/${name}`, import.meta.url), 'utf8');

const TOKENS = [
  '<',
  '>',
  '</',
  '/>',
  '&',
  '&amp;',
  '&#x41;',
  '&#99999999;',
  '<!DOCTYPE x>',
  '<![CDATA[',
  ']]>',
  '<?',
  '?>',
  '"',
  "'",
  '\u0000',
  '\r\n',
  ':',
  '<__proto__>',
  'constructor',
  '999999999999',
  '-1',
];

function mutateText(src: string, rnd: () => number): string {
  let s = src;
  const n = 1 + Math.floor(rnd() * 6);
  for (let i = 0; i < n; i++) {
    const pos = Math.floor(rnd() * (s.length + 1));
    const op = Math.floor(rnd() * 5);
    if (op === 0) s = s.slice(0, pos) + s.slice(pos + 1 + Math.floor(rnd() * 20));
    else if (op === 1) s = s.slice(0, pos) + TOKENS[Math.floor(rnd() * TOKENS.length)]! + s.slice(pos);
    else if (op === 2) s = s.slice(0, pos) + String.fromCharCode(Math.floor(rnd() * 256)) + s.slice(pos + 1);
    else if (op === 3) s = s.slice(0, pos);
    else {
      const a = Math.floor(rnd() * s.length);
      s = s.slice(0, pos) + s.slice(a, a + Math.floor(rnd() * 40)) + s.slice(pos);
    }
  }
  return s;
}

function mutateBytes(src: Uint8Array, rnd: () => number): Uint8Array {
  const out = Array.from(src);
  const n = 1 + Math.floor(rnd() * 4);
  for (let i = 0; i < n; i++) {
    const op = Math.floor(rnd() * 4);
    const pos = Math.floor(rnd() * (out.length + 1));
    if (op === 0) out[pos] = Math.floor(rnd() * 256);
    else if (op === 1) out.splice(pos, 1 + Math.floor(rnd() * 4));
    else if (op === 2)
      out.splice(pos, 0, ...Array.from({ length: 1 + Math.floor(rnd() * 8) }, () => Math.floor(rnd() * 256)));
    else out.length = pos;
  }
  return Uint8Array.from(out.filter((x) => x !== undefined));
}

function randomBytes(rnd: () => number, max: number): Uint8Array {
  return Uint8Array.from({ length: Math.floor(rnd() * max) }, () => Math.floor(rnd() * 256));
}

/** Runs `fn` and accepts a value or an Error; anything else (non-Error throw) fails. */
function survives(fn: () => unknown): 'ok' | 'error' {
  try {
    fn();
    return 'ok';
  } catch (err) {
    expect(err).toBeInstanceOf(Error);
    return 'error';
  }
}

const ITER = 3000;

function campaign(name: string, seed: number, run: (rnd: () => number) => void) {
  it(`${name}: ${ITER} mutated inputs end in a value or an Error`, () => {
    const rnd = prng(seed);
    const t0 = performance.now();
    for (let i = 0; i < ITER; i++) run(rnd);
    expect(performance.now() - t0).toBeLessThan(20_000);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(Object.prototype)).toEqual([]);
  });
}

describe('fuzz', () => {
  const ssdp = fixture('miniupnpd-ssdp.txt');
  campaign('SSDP', 1, (rnd) => {
    const input = rnd() < 0.8 ? new TextEncoder().encode(mutateText(ssdp, rnd)) : randomBytes(rnd, 2000);
    survives(() => parseSsdpResponse(input));
  });

  const rootDesc = fixture('miniupnpd-rootDesc.xml');
  const dsl = fixture('dslforum-igddesc.xml');
  const loc = new URL('http://192.168.1.1:5000/rootDesc.xml');
  campaign('device XML', 2, (rnd) => {
    const src = rnd() < 0.5 ? rootDesc : dsl;
    survives(() => {
      const d = parseDeviceDescription(mutateText(src, rnd), loc);
      // whatever survives never points to another host
      for (const s of d.services) expect(s.controlUrl.hostname).toBe('192.168.1.1');
    });
  });

  const soaps = [
    fixture('miniupnpd-GetExternalIPAddress.xml'),
    fixture('miniupnpd-GetGenericPortMappingEntry.xml'),
    fixture('miniupnpd-fault-713.xml'),
  ];
  campaign('SOAP', 3, (rnd) => {
    const src = soaps[Math.floor(rnd() * soaps.length)]!;
    survives(() => {
      const r = parseSoapResponse(mutateText(src, rnd), 'GetGenericPortMappingEntry');
      if (r.ok) survives(() => entryFromValues(r.values, 'GetGenericPortMappingEntry'));
    });
  });

  const httpSrc = `HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`;
  campaign('HTTP framing', 4, (rnd) => {
    const input = new TextEncoder().encode(mutateText(httpSrc, rnd));
    survives(() => parseHttpResponse(input, rnd() < 0.5, 4096));
  });

  const pmpExt = Uint8Array.from(
    Buffer.from('008000000000035 0cb007102'.replace(/\s/g, '').padEnd(24, '0'), 'hex'),
  );
  const pmpMap = Uint8Array.from(Buffer.from('00810000000003501 3c413c500000258'.replace(/\s/g, ''), 'hex'));
  campaign('NAT-PMP', 5, (rnd) => {
    const input = rnd() < 0.2 ? randomBytes(rnd, 40) : mutateBytes(rnd() < 0.5 ? pmpExt : pmpMap, rnd);
    survives(() => decodeExternalAddressResponse(input));
    survives(() => decodeMapResponse(input, 'udp'));
  });

  const pcpMap = Uint8Array.from(
    Buffer.from(
      `0281000000000258000003500000000000000000000000000102030405060708090a0b0c1100000013c413c5${'00'.repeat(10)}ffffcb0071020100000400000000`,
      'hex',
    ),
  );
  campaign('PCP', 6, (rnd) => {
    const input = rnd() < 0.2 ? randomBytes(rnd, 1200) : mutateBytes(pcpMap, rnd);
    survives(() => decodeResponse(input));
  });
});
