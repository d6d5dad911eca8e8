/**
 * ERROR-CODE — RFC 8489 §14.8: 21 reserved bits, a 3-bit class (3–6) and a number (0–99) giving the
 * code class*100+number, then a UTF-8 reason phrase (< 763 bytes).
 */
import { badAttribute, type AttributeCodec } from './attribute.ts';
import { fromUtf8, utf8 } from './bytes.ts';
import { ATTR } from './constants.ts';
import { StunError } from './errors.ts';

export interface ErrorCodeValue {
  code: number;
  reason: string;
}

export const ErrorCode: AttributeCodec<ErrorCodeValue> = {
  type: ATTR.ERROR_CODE,
  name: 'ERROR-CODE',
  encode(v) {
    if (!Number.isInteger(v.code) || v.code < 300 || v.code > 699)
      throw new StunError('bad-value', `error code ${v.code} outside 300–699`);
    const reason = utf8(v.reason);
    if (reason.length > 763) throw new StunError('bad-value', 'reason phrase too long');
    const out = new Uint8Array(4 + reason.length);
    out[2] = Math.floor(v.code / 100);
    out[3] = v.code % 100;
    out.set(reason, 4);
    return out;
  },
  decode(b) {
    if (b.length < 4) throw badAttribute(`value of ${b.length} bytes`);
    const cls = b[2]! & 0x07;
    const num = b[3]!;
    if (cls < 3 || cls > 6 || num > 99) throw badAttribute(`invalid code ${cls}/${num}`);
    const reason = fromUtf8(b.slice(4));
    if (reason === null) throw badAttribute('reason phrase is not UTF-8');
    return { code: cls * 100 + num, reason };
  },
  format: (v) => `${v.code} ${v.reason}`,
};
