/**
 * Attributes whose value is one 32-bit unsigned integer: RFC 8656 §18.2 LIFETIME (seconds the
 * allocation, or the refresh, asks for / is granted) and RFC 6062 §6.2.1 CONNECTION-ID (names a
 * peer TCP connection of a TCP allocation).
 */
import { badAttribute, type AttributeCodec } from './attribute.ts';
import { getU32, setU32 } from './bytes.ts';
import { ATTR } from './constants.ts';
import { StunError } from './errors.ts';

function uint32Codec(type: number, name: string, unit: string): AttributeCodec<number> {
  return {
    type,
    name,
    encode(n) {
      if (!Number.isInteger(n) || n < 0 || n > 0xffffffff)
        throw new StunError('bad-value', `${name} ${n} is not a 32-bit unsigned integer`);
      const out = new Uint8Array(4);
      setU32(out, 0, n);
      return out;
    },
    decode(b) {
      if (b.length !== 4) throw badAttribute(`value of ${b.length} bytes, expected 4`);
      return getU32(b, 0);
    },
    format: (n) => `${n}${unit}`,
  };
}

export const Lifetime = uint32Codec(ATTR.LIFETIME, 'LIFETIME', ' s');
export const ConnectionId = uint32Codec(ATTR.CONNECTION_ID, 'CONNECTION-ID', '');
