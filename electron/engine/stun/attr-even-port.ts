/**
 * EVEN-PORT — RFC 8656 §18.6: ask for an even relayed port (RTP, RFC 3550 §11), and with the R bit
 * also for the next-higher port to be reserved (RTCP); one byte (R = top bit) plus 3 bytes of
 * padding on the wire. Servers send no value back; RESERVATION-TOKEN names the held port.
 * REQUESTED-ADDRESS-FAMILY (§18.8) is one family byte (0x01 IPv4, 0x02 IPv6) then 3 reserved bytes.
 */
import { badAttribute, type AttributeCodec } from './attribute.ts';
import { ATTR } from './constants.ts';

export const EvenPort: AttributeCodec<{ reserveNext: boolean }> = {
  type: ATTR.EVEN_PORT,
  name: 'EVEN-PORT',
  encode: (v) => Uint8Array.of(v.reserveNext ? 0x80 : 0),
  decode(b) {
    if (b.length !== 1 && b.length !== 4) throw badAttribute(`value of ${b.length} bytes, expected 1`);
    return { reserveNext: (b[0]! & 0x80) !== 0 };
  },
  format: (v) => (v.reserveNext ? 'even, reserve next' : 'even'),
};

export const RequestedAddressFamily: AttributeCodec<4 | 6> = {
  type: ATTR.REQUESTED_ADDRESS_FAMILY,
  name: 'REQUESTED-ADDRESS-FAMILY',
  encode: (f) => Uint8Array.of(f === 4 ? 0x01 : 0x02, 0, 0, 0),
  decode(b) {
    if (b.length !== 4) throw badAttribute(`value of ${b.length} bytes, expected 4`);
    if (b[0] !== 0x01 && b[0] !== 0x02) throw badAttribute(`unknown family 0x${b[0]!.toString(16)}`);
    return b[0] === 0x01 ? 4 : 6;
  },
  format: (f) => `IPv${f}`,
};
