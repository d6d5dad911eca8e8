/**
 * The plain address attributes — RFC 8489 §14.1 MAPPED-ADDRESS, RFC 5780 §7.3 RESPONSE-ORIGIN and
 * §7.4 OTHER-ADDRESS, and RFC 3489 §11.2.2/§11.2.5 SOURCE-ADDRESS / CHANGED-ADDRESS (classic
 * servers). All share one layout: 0x00, family (0x01 IPv4 / 0x02 IPv6), port, 4 or 16 address bytes.
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import { formatEndpoint } from '../../../shared/model/endpoint.ts';
import { badAttribute, type AttributeCodec } from './attribute.ts';
import { getU16, setU16 } from './bytes.ts';
import { ATTR } from './constants.ts';
import { bytesToIp, ipToBytes } from './ip.ts';

export const FAMILY_IPV4 = 0x01;
export const FAMILY_IPV6 = 0x02;

export function encodeAddressValue(ep: Endpoint): Uint8Array {
  const addr = ipToBytes(ep.address);
  const out = new Uint8Array(4 + addr.length);
  out[1] = addr.length === 4 ? FAMILY_IPV4 : FAMILY_IPV6;
  setU16(out, 2, ep.port);
  out.set(addr, 4);
  return out;
}

export function decodeAddressValue(b: Uint8Array): { family: number; port: number; address: Uint8Array } {
  if (b.length < 4) throw badAttribute(`address value of ${b.length} bytes`);
  const family = b[1]!;
  const want = family === FAMILY_IPV4 ? 8 : family === FAMILY_IPV6 ? 20 : -1;
  if (want < 0) throw badAttribute(`unknown address family 0x${family.toString(16)}`);
  if (b.length !== want)
    throw badAttribute(
      `${family === FAMILY_IPV4 ? 'IPv4' : 'IPv6'} address value of ${b.length} bytes, expected ${want}`,
    );
  return { family, port: getU16(b, 2), address: b.slice(4) };
}

function addressCodec(type: number, name: string): AttributeCodec<Endpoint> {
  return {
    type,
    name,
    encode: (ep) => encodeAddressValue(ep),
    decode(b) {
      const v = decodeAddressValue(b);
      return { address: bytesToIp(v.address), port: v.port };
    },
    format: formatEndpoint,
  };
}

export const MappedAddress = addressCodec(ATTR.MAPPED_ADDRESS, 'MAPPED-ADDRESS');
export const ResponseOrigin = addressCodec(ATTR.RESPONSE_ORIGIN, 'RESPONSE-ORIGIN');
export const OtherAddress = addressCodec(ATTR.OTHER_ADDRESS, 'OTHER-ADDRESS');
export const SourceAddress = addressCodec(ATTR.SOURCE_ADDRESS, 'SOURCE-ADDRESS');
export const ChangedAddress = addressCodec(ATTR.CHANGED_ADDRESS, 'CHANGED-ADDRESS');
export const ResponseAddress = addressCodec(ATTR.RESPONSE_ADDRESS, 'RESPONSE-ADDRESS');
export const AlternateServer = addressCodec(ATTR.ALTERNATE_SERVER, 'ALTERNATE-SERVER');
