/**
 * Every STUN answer of the companion fits in 3× the bytes of its request (nothing verifies a UDP
 * STUN source, so a spoofed request must not be worth more than that to an attacker). The answer's
 * attributes are kept in order of need and the rest left out:
 *
 * - RFC 5389+ requests: XOR-MAPPED-ADDRESS (RFC 8489 §7.3.1: the one attribute a Binding answer
 *   must have), then RFC 5780's OTHER-ADDRESS and RESPONSE-ORIGIN (§6), then FINGERPRINT when the
 *   request had one, MAPPED-ADDRESS (old clients), echoed PADDING, SOFTWARE, FINGERPRINT otherwise.
 * - RFC 3489 requests: MAPPED-ADDRESS, CHANGED-ADDRESS, SOURCE-ADDRESS (§11.2), then the rest.
 * - Errors: ERROR-CODE and UNKNOWN-ATTRIBUTES, then SOFTWARE and FINGERPRINT.
 *
 * A bare 20-byte IPv4 request (budget 60) gets XOR-MAPPED-ADDRESS + OTHER-ADDRESS +
 * RESPONSE-ORIGIN = 56 bytes: enough for RFC 5780 discovery. Over IPv6 those three take 92 bytes
 * (4.6×, which RFC 5780 would ask for), so a bare IPv6 request gets XOR-MAPPED-ADDRESS and
 * FINGERPRINT (52 bytes); a client earns the full answer with a larger request (SOFTWARE,
 * FINGERPRINT or PADDING in it), as NatScope's own client does over IPv6.
 */
import { ATTR, HEADER_LENGTH } from '../stun/constants.ts';
import type { StunMessage } from '../stun/message.ts';

const FINGERPRINT_BYTES = 8;
const REQUIRED = 0;

function rank(type: number, classic: boolean): number {
  switch (type) {
    case ATTR.XOR_MAPPED_ADDRESS:
      return classic ? 5 : REQUIRED;
    case ATTR.MAPPED_ADDRESS:
      return classic ? REQUIRED : 4;
    case ATTR.ERROR_CODE:
    case ATTR.UNKNOWN_ATTRIBUTES:
      return REQUIRED;
    case ATTR.OTHER_ADDRESS:
      return classic ? 4 : 1;
    case ATTR.RESPONSE_ORIGIN:
      return classic ? 4 : 2;
    case ATTR.CHANGED_ADDRESS:
      return 1;
    case ATTR.SOURCE_ADDRESS:
      return 2;
    case ATTR.PADDING:
      return 5;
    case ATTR.SOFTWARE:
      return 6;
    default:
      return 8;
  }
}

const wireSize = (valueLength: number) => 4 + ((valueLength + 3) & ~3);
const MAX_RANK = 8;
/** In fitAttributes' result: FINGERPRINT fits. Bits 0–29: attribute i is kept. */
export const FIT_FINGERPRINT = 1 << 30;

/**
 * The choice behind fitStunAnswer on plain arrays, allocation-free, for the general path and the
 * companion's fast path alike: attributes (types[i], valueLengths[i]) for i < count are taken in
 * order of need (rank, then position; FINGERPRINT before the attributes of its rank) while they fit
 * in `budget` bytes with the 20-byte header. Returns −1 when a required attribute does not fit,
 * else a bit mask of the kept attributes with FIT_FINGERPRINT when FINGERPRINT fits too.
 */
export function fitAttributes(
  types: ArrayLike<number>,
  valueLengths: ArrayLike<number>,
  count: number,
  o: { budget: number; classic: boolean; wantFingerprint: boolean; requestHadFingerprint: boolean },
): number {
  if (count > 30) throw new RangeError('fitAttributes: at most 30 attributes');
  const fpRank = !o.wantFingerprint ? -1 : o.requestHadFingerprint ? 3 : 7;
  let used = HEADER_LENGTH;
  let keep = 0;
  for (let r = 0; r <= MAX_RANK; r++) {
    if (r === fpRank && used + FINGERPRINT_BYTES <= o.budget) {
      used += FINGERPRINT_BYTES;
      keep |= FIT_FINGERPRINT;
    }
    for (let i = 0; i < count; i++) {
      if (rank(types[i]!, o.classic) !== r) continue;
      const size = wireSize(valueLengths[i]!);
      if (used + size <= o.budget) {
        used += size;
        keep |= 1 << i;
      } else if (r === REQUIRED) return -1;
    }
  }
  return keep;
}

/**
 * Leaves out of `msg` what does not fit in `budget` bytes (in the order above). Returns whether
 * FINGERPRINT still fits, or null when even the required attributes do not (then send nothing).
 */
export function fitStunAnswer(
  msg: StunMessage,
  o: { budget: number; classic: boolean; wantFingerprint: boolean; requestHadFingerprint: boolean },
): { fingerprint: boolean } | null {
  const types = msg.attributes.map((a) => a.type);
  const lengths = msg.attributes.map((a) => a.value.length);
  const keep = fitAttributes(types, lengths, types.length, o);
  if (keep < 0) return null;
  msg.attributes = msg.attributes.filter((_, i) => (keep & (1 << i)) !== 0);
  return { fingerprint: (keep & FIT_FINGERPRINT) !== 0 };
}
