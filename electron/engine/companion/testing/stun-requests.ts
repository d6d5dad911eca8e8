/**
 * Generated STUN requests for the companion's tests (stun-fast-answer.test.ts, stun-io.test.ts):
 * RFC 5389 and RFC 3489 Binding requests with every attribute the server knows, malformed and
 * hostile ones among them, from a seeded generator so a failure can be replayed.
 */
import { ATTR, MAGIC_COOKIE } from '../../stun/constants.ts';
import { createMessage, encodeMessage, type StunAttribute } from '../../stun/message.ts';

let seed = 5;
/** Restarts the sequence (the same seed gives the same requests). */
export function seedRequests(s: number): void {
  seed = s;
}
export const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n) | 0;
export const bytes = (n: number) => Uint8Array.from({ length: n }, () => rand(256));
const u32 = (v: number) => Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);

function attribute(): StunAttribute {
  switch (rand(12)) {
    case 0:
      return { type: ATTR.CHANGE_REQUEST, value: u32([0, 2, 4, 6][rand(4)]!) };
    case 1:
      return { type: ATTR.CHANGE_REQUEST, value: bytes([0, 2, 8][rand(3)]!) }; // malformed
    case 2:
      return {
        type: ATTR.RESPONSE_PORT,
        value: Uint8Array.of(rand(256), rand(256), 0, 0).subarray(0, 2 + 2 * rand(2)),
      };
    case 3:
      return { type: ATTR.RESPONSE_PORT, value: Uint8Array.of(0, 0, 0, 0) }; // port 0
    case 4:
    case 5:
      return { type: ATTR.PADDING, value: new Uint8Array(rand(2) ? rand(64) : rand(700)) };
    case 6:
      return { type: ATTR.USERNAME, value: bytes(rand(40)) };
    case 7:
      return { type: ATTR.SOFTWARE, value: bytes(rand(30)) };
    case 8:
      return { type: 0x8055, value: bytes(rand(12)) }; // unknown, comprehension-optional
    case 9:
      return { type: 0x0033, value: bytes(4) }; // unknown, comprehension-required: 420
    case 10:
      return { type: ATTR.MESSAGE_INTEGRITY, value: bytes(20) };
    default:
      return { type: ATTR.RESPONSE_ADDRESS, value: bytes(8) }; // refused: 420
  }
}

/** One generated request (bytes as they go on the wire). */
export function request(): Uint8Array {
  const classic = rand(4) === 0;
  const msg = createMessage({
    cls: 'request',
    cookie: classic ? (rand(0x7fffffff) * 2 + 1) >>> 0 : MAGIC_COOKIE,
    attributes: Array.from({ length: rand(4) }, attribute),
  });
  let b = encodeMessage(msg, { fingerprint: rand(3) === 0 });
  switch (rand(14)) {
    case 0:
      b[0] = 0x00;
      b[1] = [0x11, 0x03, 0x01][rand(3)]!; // indication, Allocate request, Binding request again
      break;
    case 1:
      b = Uint8Array.from([...b, ...bytes(4)]); // bytes after the message
      break;
    case 2:
      if (b.length > 24) b[20 + rand(b.length - 20)]! ^= 1 << rand(8); // a flipped bit (FINGERPRINT, framing…)
      break;
    case 3:
      if (b.length > 24) b[22] = rand(256); // an attribute length that overruns
      break;
  }
  return b;
}
