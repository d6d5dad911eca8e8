/**
 * PADDING — RFC 5780 §7.6: filler bytes so a request (and its response) is large enough to test
 * how the path treats fragmentation. The content carries no meaning.
 */
import type { AttributeCodec } from './attribute.ts';
import { ATTR } from './constants.ts';

export const Padding: AttributeCodec<number> = {
  type: ATTR.PADDING,
  name: 'PADDING',
  encode: (n) => new Uint8Array(n),
  decode: (b) => b.length,
  format: (n) => `${n} bytes`,
};
