/**
 * UTF-8 text attributes — RFC 8489 §14.3 USERNAME (< 513 bytes), §14.9 REALM, §14.10 NONCE and
 * §14.14 SOFTWARE (< 763 bytes each, the RFC's "fewer than 128 characters").
 */
import { badAttribute, type AttributeCodec } from './attribute.ts';
import { fromUtf8, utf8 } from './bytes.ts';
import { ATTR } from './constants.ts';
import { StunError } from './errors.ts';

function textCodec(type: number, name: string, maxBytes: number): AttributeCodec<string> {
  return {
    type,
    name,
    encode(s) {
      const b = utf8(s);
      if (b.length > maxBytes) throw new StunError('bad-value', `${name} longer than ${maxBytes} bytes`);
      return b;
    },
    decode(b) {
      if (b.length > maxBytes) throw badAttribute(`${b.length} bytes, at most ${maxBytes} allowed`);
      const s = fromUtf8(b);
      if (s === null) throw badAttribute('invalid UTF-8');
      return s;
    },
    format: (s) => JSON.stringify(s),
  };
}

export const Username = textCodec(ATTR.USERNAME, 'USERNAME', 512);
export const Realm = textCodec(ATTR.REALM, 'REALM', 763);
export const Nonce = textCodec(ATTR.NONCE, 'NONCE', 763);
export const Software = textCodec(ATTR.SOFTWARE, 'SOFTWARE', 763);
