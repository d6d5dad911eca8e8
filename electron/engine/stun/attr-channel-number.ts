/**
 * CHANNEL-NUMBER — RFC 8656 §18.1: a 16-bit channel number then 2 reserved bytes (RFFU). Valid
 * channels are 0x4000–0x4FFF (§12); the codec reads any value and leaves the range check to the
 * TURN client, which must refuse a server that binds outside it.
 */
import { badAttribute, type AttributeCodec } from './attribute.ts';
import { getU16, setU16 } from './bytes.ts';
import { ATTR } from './constants.ts';
import { StunError } from './errors.ts';

export const CHANNEL_MIN = 0x4000;
export const CHANNEL_MAX = 0x4fff;

export const ChannelNumber: AttributeCodec<number> = {
  type: ATTR.CHANNEL_NUMBER,
  name: 'CHANNEL-NUMBER',
  encode(n) {
    if (!Number.isInteger(n) || n < 0 || n > 0xffff)
      throw new StunError('bad-value', `channel number ${n} is not 16-bit`);
    const out = new Uint8Array(4);
    setU16(out, 0, n);
    return out;
  },
  decode(b) {
    if (b.length !== 4) throw badAttribute(`value of ${b.length} bytes, expected 4`);
    return getU16(b, 0);
  },
  format: (n) => `0x${n.toString(16)}`,
};
