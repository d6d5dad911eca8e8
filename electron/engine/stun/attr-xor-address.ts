/**
 * XOR-MAPPED-ADDRESS — RFC 8489 §14.2: the port is XOR-ed with the top 16 bits of the magic cookie,
 * an IPv4 address with the cookie, an IPv6 address with cookie ‖ transaction ID — so NATs and ALGs
 * that rewrite addresses they find in payloads leave it alone. TURN's XOR-PEER-ADDRESS (RFC 8656
 * §18.3) and XOR-RELAYED-ADDRESS (§18.5) use the same encoding.
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import { formatEndpoint } from '../../../shared/model/endpoint.ts';
import type { AttributeCodec } from './attribute.ts';
import { ATTR } from './constants.ts';
import { decodeAddressValue, encodeAddressValue } from './attr-address.ts';
import { bytesToIp } from './ip.ts';
import type { StunMessage } from './message.ts';

/** The XOR pad is the cookie (bytes 0–3) then the transaction ID (4–15): read in place, nothing allocated. */
function padByte(msg: StunMessage, i: number): number {
  return i < 4 ? (msg.cookie >>> (24 - 8 * i)) & 0xff : msg.transactionId[i - 4]!;
}

function xorValue(b: Uint8Array, msg: StunMessage): Uint8Array {
  const out = b.slice();
  out[2]! ^= padByte(msg, 0);
  out[3]! ^= padByte(msg, 1);
  for (let i = 4; i < out.length; i++) out[i]! ^= padByte(msg, i - 4);
  return out;
}

function xorAddressCodec(type: number, name: string): AttributeCodec<Endpoint> {
  return {
    type,
    name,
    encode: (ep, msg) => xorValue(encodeAddressValue(ep), msg),
    decode(b, msg) {
      decodeAddressValue(b); // validates framing before un-XOR-ing
      const v = decodeAddressValue(xorValue(b, msg));
      return { address: bytesToIp(v.address), port: v.port };
    },
    format: formatEndpoint,
  };
}

export const XorMappedAddress = xorAddressCodec(ATTR.XOR_MAPPED_ADDRESS, 'XOR-MAPPED-ADDRESS');
export const XorPeerAddress = xorAddressCodec(ATTR.XOR_PEER_ADDRESS, 'XOR-PEER-ADDRESS');
export const XorRelayedAddress = xorAddressCodec(ATTR.XOR_RELAYED_ADDRESS, 'XOR-RELAYED-ADDRESS');
