/**
 * Attributes with no value, whose presence is the message: RFC 8656 §18.10 DONT-FRAGMENT (set DF
 * on the relayed datagrams). A value is tolerated on decode and ignored.
 */
import type { AttributeCodec } from './attribute.ts';
import { ATTR } from './constants.ts';

export const DontFragment: AttributeCodec<true> = {
  type: ATTR.DONT_FRAGMENT,
  name: 'DONT-FRAGMENT',
  encode: () => new Uint8Array(0),
  decode: () => true,
  format: () => 'set',
};
