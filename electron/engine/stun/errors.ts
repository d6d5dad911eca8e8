/**
 * The codec's one error type. Every malformed, truncated or unexpected input ends in a `StunError`
 * with a specific code — never a RangeError from a DataView or a crash (RFC 8489 §6.3: a message
 * that fails the checks is discarded; the caller decides whether that is worth reporting).
 */
export type StunErrorCode =
  | 'truncated' // fewer bytes than the header or the length field promise
  | 'not-stun' // first two bits not zero, or a length not a multiple of 4
  | 'length-mismatch' // the datagram is longer than the header's length field says
  | 'bad-attribute' // an attribute's framing or value is invalid
  | 'bad-fingerprint' // FINGERPRINT present but wrong, or not last
  | 'bad-integrity' // MESSAGE-INTEGRITY missing, malformed or wrong
  | 'bad-value'; // an encode-time argument is out of range

export class StunError extends Error {
  readonly code: StunErrorCode;
  constructor(code: StunErrorCode, message: string) {
    super(message);
    this.name = 'StunError';
    this.code = code;
  }
}
