/**
 * CHANGE-REQUEST — RFC 5780 §7.2 (from RFC 3489 §11.2.4): asks the server to answer from its
 * alternate IP ("A" bit, 0x4) and/or alternate port ("B" bit, 0x2). The heart of the filtering test.
 */
import { badAttribute, type AttributeCodec } from './attribute.ts';
import { getU32, setU32 } from './bytes.ts';
import { ATTR } from './constants.ts';

export interface ChangeRequest {
  changeIp: boolean;
  changePort: boolean;
}

export const ChangeRequestAttr: AttributeCodec<ChangeRequest> = {
  type: ATTR.CHANGE_REQUEST,
  name: 'CHANGE-REQUEST',
  encode(v) {
    const out = new Uint8Array(4);
    setU32(out, 0, (v.changeIp ? 0x4 : 0) | (v.changePort ? 0x2 : 0));
    return out;
  },
  decode(b) {
    if (b.length !== 4) throw badAttribute(`value of ${b.length} bytes, expected 4`);
    const flags = getU32(b, 0);
    return { changeIp: (flags & 0x4) !== 0, changePort: (flags & 0x2) !== 0 };
  },
  format: (v) =>
    v.changeIp || v.changePort
      ? [v.changeIp ? 'change IP' : '', v.changePort ? 'change port' : ''].filter(Boolean).join(' + ')
      : 'none',
};
