/**
 * UNKNOWN-ATTRIBUTES — RFC 8489 §14.13: the comprehension-required attribute types a 420 error
 * response did not understand, as a list of 16-bit values.
 */
import { badAttribute, type AttributeCodec } from './attribute.ts';
import { getU16, setU16 } from './bytes.ts';
import { ATTR } from './constants.ts';

export const UnknownAttributes: AttributeCodec<number[]> = {
  type: ATTR.UNKNOWN_ATTRIBUTES,
  name: 'UNKNOWN-ATTRIBUTES',
  encode(types) {
    const out = new Uint8Array(types.length * 2);
    types.forEach((t, i) => setU16(out, i * 2, t));
    return out;
  },
  decode(b) {
    if (b.length % 2 !== 0) throw badAttribute(`odd length ${b.length}`);
    const out: number[] = [];
    for (let i = 0; i < b.length; i += 2) out.push(getU16(b, i));
    return out;
  },
  format: (types) => types.map((t) => `0x${t.toString(16).padStart(4, '0')}`).join(', '),
};
