/**
 * DATA — RFC 8656 §18.4: the application payload of a Send or Data indication, any length
 * (padded to 4 bytes on the wire like every attribute). Also RESERVATION-TOKEN (§18.9), an opaque
 * 8-byte token naming a port the server holds back for a later Allocate.
 */
import { badAttribute, type AttributeCodec } from './attribute.ts';
import { toHex } from './bytes.ts';
import { ATTR } from './constants.ts';
import { StunError } from './errors.ts';

export const Data: AttributeCodec<Uint8Array> = {
  type: ATTR.DATA,
  name: 'DATA',
  encode: (b) => b,
  decode: (b) => b,
  format: (b) => `${b.length} bytes`,
};

/** An opaque value of exactly `length` bytes (RESERVATION-TOKEN, USERHASH). */
export function fixedBytesCodec(type: number, name: string, length: number): AttributeCodec<Uint8Array> {
  return {
    type,
    name,
    encode(b) {
      if (b.length !== length) throw new StunError('bad-value', `${name} must be ${length} bytes`);
      return b;
    },
    decode(b) {
      if (b.length !== length) throw badAttribute(`value of ${b.length} bytes, expected ${length}`);
      return b;
    },
    format: toHex,
  };
}

export const ReservationToken = fixedBytesCodec(ATTR.RESERVATION_TOKEN, 'RESERVATION-TOKEN', 8);
