/**
 * REQUESTED-TRANSPORT — RFC 8656 §18.7: the IP protocol number of the relayed transport the client
 * asks for (17 = UDP; 6 = TCP for an RFC 6062 TCP allocation), then 3 reserved bytes (RFFU).
 */
import { badAttribute, type AttributeCodec } from './attribute.ts';
import { ATTR } from './constants.ts';
import { StunError } from './errors.ts';

export const TRANSPORT_UDP = 17;
export const TRANSPORT_TCP = 6;

export const RequestedTransport: AttributeCodec<number> = {
  type: ATTR.REQUESTED_TRANSPORT,
  name: 'REQUESTED-TRANSPORT',
  encode(proto) {
    if (!Number.isInteger(proto) || proto < 0 || proto > 255)
      throw new StunError('bad-value', `protocol ${proto} outside 0–255`);
    return Uint8Array.of(proto, 0, 0, 0);
  },
  decode(b) {
    if (b.length !== 4) throw badAttribute(`value of ${b.length} bytes, expected 4`);
    return b[0]!;
  },
  format: (p) => (p === TRANSPORT_UDP ? 'UDP (17)' : p === TRANSPORT_TCP ? 'TCP (6)' : String(p)),
};
