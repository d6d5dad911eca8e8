/**
 * RESPONSE-PORT — RFC 5780 §7.5: the server sends the response to this port (same IP as the
 * request came from). Used by the binding-lifetime test (§4.6) to probe an idle mapping from a
 * second socket. 2-byte port + 2 bytes padding.
 */
import { badAttribute, type AttributeCodec } from './attribute.ts';
import { getU16, setU16 } from './bytes.ts';
import { ATTR } from './constants.ts';

export const ResponsePort: AttributeCodec<number> = {
  type: ATTR.RESPONSE_PORT,
  name: 'RESPONSE-PORT',
  encode(port) {
    const out = new Uint8Array(4);
    setU16(out, 0, port);
    return out;
  },
  decode(b) {
    if (b.length !== 4 && b.length !== 2) throw badAttribute(`value of ${b.length} bytes, expected 4`);
    return getU16(b, 0);
  },
  format: (p) => String(p),
};
