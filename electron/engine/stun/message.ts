/**
 * STUN message framing — RFC 8489 §5 (header: type, length, magic cookie, transaction ID),
 * §14 (TLV attributes padded to 4 bytes), §14.5/§14.6/§14.7 (MESSAGE-INTEGRITY,
 * MESSAGE-INTEGRITY-SHA256 and FINGERPRINT placement) and RFC 3489 §11.1 (classic messages carry a 128-bit ID and no magic cookie: accepted, flagged).
 */
import { ATTR, HEADER_LENGTH, MAGIC_COOKIE, TRANSACTION_ID_LENGTH } from './constants.ts';
import { getU16, getU32, newTransactionId, setU16, setU32 } from './bytes.ts';
import { StunError } from './errors.ts';
import { appendFingerprint, fingerprintOf } from './fingerprint.ts';
import { hmacSha1, hmacSha256, timingSafeEqualBytes } from './integrity.ts';
import { decodeMessageType, encodeMessageType, type StunClass } from './message-type.ts';

export interface StunAttribute {
  readonly type: number;
  readonly value: Uint8Array;
}

export interface StunMessage {
  method: number;
  cls: StunClass;
  transactionId: Uint8Array;
  /** Header bytes 4..8: the magic cookie for RFC 5389+ peers; anything else marks an RFC 3489 peer. */
  cookie: number;
  /** Attributes in wire order, without MESSAGE-INTEGRITY and FINGERPRINT (see EncodeOptions). */
  attributes: StunAttribute[];
}

export interface DecodedStunMessage extends StunMessage {
  /** The exact bytes decoded (needed to verify MESSAGE-INTEGRITY). */
  raw: Uint8Array;
  /** Byte offset of MESSAGE-INTEGRITY in `raw`, or null when absent. */
  integrityOffset: number | null;
  /** Byte offset of MESSAGE-INTEGRITY-SHA256 in `raw`, or null when absent (RFC 8489 §14.6). */
  integritySha256Offset: number | null;
  hasFingerprint: boolean;
  /** Attributes after MESSAGE-INTEGRITY, ignored as RFC 8489 §14.5 requires. */
  ignoredAfterIntegrity: number;
  /** True when the magic cookie is missing (an RFC 3489 peer). */
  classic: boolean;
}

export interface EncodeOptions {
  /** Append MESSAGE-INTEGRITY (HMAC-SHA1) with this key (see integrity.ts for key derivation). */
  integrityKey?: Uint8Array;
  /** Append MESSAGE-INTEGRITY-SHA256 (32-byte HMAC-SHA256, after MESSAGE-INTEGRITY if both). */
  integritySha256Key?: Uint8Array;
  /** Append FINGERPRINT (always last). */
  fingerprint?: boolean;
  /** Byte used to pad attribute values to 4 bytes (RFC 8489 says any value; RFC 5769 uses 0x20). */
  padByte?: number;
}

export function createMessage(init: {
  cls: StunClass;
  method?: number;
  transactionId?: Uint8Array;
  cookie?: number;
  attributes?: StunAttribute[];
}): StunMessage {
  const tid = init.transactionId ?? newTransactionId();
  if (tid.length !== TRANSACTION_ID_LENGTH)
    throw new StunError('bad-value', 'transaction ID must be 12 bytes');
  return {
    method: init.method ?? 0x001,
    cls: init.cls,
    transactionId: tid,
    cookie: init.cookie ?? MAGIC_COOKIE,
    attributes: init.attributes ? [...init.attributes] : [],
  };
}

/** Writes one TLV at `off` (RFC 8489 §14: value padded to 4 bytes with `padByte`); returns the next offset. */
function writeTlv(out: Uint8Array, off: number, type: number, value: Uint8Array, padByte: number): number {
  setU16(out, off, type);
  setU16(out, off + 2, value.length);
  out.set(value, off + 4);
  const end = off + 4 + ((value.length + 3) & ~3);
  if (padByte !== 0) out.fill(padByte, off + 4 + value.length, end);
  return end;
}

/**
 * Encodes into one buffer sized up front: the attributes, then MESSAGE-INTEGRITY(-SHA256) and
 * FINGERPRINT computed over that same buffer (the header length set to cover each as §14.5–§14.7
 * require), no intermediate arrays.
 */
export function encodeMessage(msg: StunMessage, opts: EncodeOptions = {}): Uint8Array {
  const pad = opts.padByte ?? 0;
  if (msg.transactionId.length !== TRANSACTION_ID_LENGTH)
    throw new StunError('bad-value', 'transaction ID must be 12 bytes');
  let body = 0;
  for (const a of msg.attributes) {
    if (a.value.length > 0xffff)
      throw new StunError('bad-value', `attribute 0x${a.type.toString(16)} too long`);
    body += 4 + ((a.value.length + 3) & ~3);
  }
  if (opts.integrityKey) body += 24;
  if (opts.integritySha256Key) body += 36;
  if (opts.fingerprint) body += 8;
  if (body > 0xffff - HEADER_LENGTH) throw new StunError('bad-value', 'message too long');
  const out = new Uint8Array(HEADER_LENGTH + body);
  setU16(out, 0, encodeMessageType(msg.method, msg.cls));
  setU32(out, 4, msg.cookie >>> 0);
  out.set(msg.transactionId, 8);
  let off = HEADER_LENGTH;
  for (const a of msg.attributes) off = writeTlv(out, off, a.type, a.value, pad);
  if (opts.integrityKey) {
    // §14.5: the HMAC covers the header (length already counting MESSAGE-INTEGRITY) and the body so far.
    setU16(out, 2, off - HEADER_LENGTH + 24);
    off = writeTlv(out, off, ATTR.MESSAGE_INTEGRITY, hmacSha1(opts.integrityKey, out.subarray(0, off)), 0);
  }
  if (opts.integritySha256Key) {
    setU16(out, 2, off - HEADER_LENGTH + 36);
    const mac = hmacSha256(opts.integritySha256Key, out.subarray(0, off));
    off = writeTlv(out, off, ATTR.MESSAGE_INTEGRITY_SHA256, mac, 0);
  }
  if (opts.fingerprint) {
    off = appendFingerprint(out, off);
  }
  setU16(out, 2, off - HEADER_LENGTH);
  return out;
}

/**
 * Cheap check used to demultiplex a socket (RFC 7983 §7: STUN's first byte is 0–3) before a full
 * decode. Says nothing about validity.
 */
export function looksLikeStun(b: Uint8Array): boolean {
  return b.length >= HEADER_LENGTH && (b[0]! & 0xc0) === 0 && (b[3]! & 0x03) === 0;
}

/** For stream transports: the full length of the message starting at b[0], or null if the header is incomplete. */
export function stunFrameLength(b: Uint8Array): number | null {
  if (b.length < 4) return null;
  if ((b[0]! & 0xc0) !== 0) throw new StunError('not-stun', 'first two bits of a STUN message must be zero');
  return HEADER_LENGTH + getU16(b, 2);
}

export function decodeMessage(bytes: Uint8Array): DecodedStunMessage {
  if (bytes.length < HEADER_LENGTH) {
    throw new StunError('truncated', `message of ${bytes.length} bytes is shorter than the 20-byte header`);
  }
  const type = getU16(bytes, 0);
  if ((type & 0xc000) !== 0) throw new StunError('not-stun', 'first two bits of a STUN message must be zero');
  const length = getU16(bytes, 2);
  if (length % 4 !== 0) throw new StunError('not-stun', `message length ${length} is not a multiple of 4`);
  if (bytes.length < HEADER_LENGTH + length) {
    throw new StunError(
      'truncated',
      `header promises ${length} bytes of attributes, only ${bytes.length - HEADER_LENGTH} present`,
    );
  }
  if (bytes.length > HEADER_LENGTH + length) {
    throw new StunError(
      'length-mismatch',
      `${bytes.length - HEADER_LENGTH - length} bytes after the end of the message`,
    );
  }
  const cookie = getU32(bytes, 4);
  const { method, cls } = decodeMessageType(type);
  // One copy of the message; the transaction ID and attribute values are views into it.
  const raw = bytes.slice();
  const transactionId = raw.subarray(8, 20);
  const attributes: StunAttribute[] = [];
  let integrityOffset: number | null = null;
  let integritySha256Offset: number | null = null;
  let hasFingerprint = false;
  let ignoredAfterIntegrity = 0;
  let off = HEADER_LENGTH;
  const end = HEADER_LENGTH + length;
  while (off < end) {
    if (end - off < 4) throw new StunError('bad-attribute', `attribute header truncated at offset ${off}`);
    const at = getU16(raw, off);
    const alen = getU16(raw, off + 2);
    const padded = (alen + 3) & ~3;
    if (off + 4 + padded > end) {
      throw new StunError(
        'bad-attribute',
        `attribute 0x${at.toString(16).padStart(4, '0')} of ${alen} bytes overruns the message at offset ${off}`,
      );
    }
    const value = raw.subarray(off + 4, off + 4 + alen);
    if (hasFingerprint) throw new StunError('bad-fingerprint', 'FINGERPRINT is not the last attribute');
    if (at === ATTR.FINGERPRINT) {
      if (alen !== 4) throw new StunError('bad-fingerprint', `FINGERPRINT of ${alen} bytes`);
      if (getU32(value, 0) !== fingerprintOf(raw, 0, off))
        throw new StunError('bad-fingerprint', 'FINGERPRINT does not match the message');
      hasFingerprint = true;
    } else if (at === ATTR.MESSAGE_INTEGRITY) {
      if (alen !== 20) throw new StunError('bad-attribute', `MESSAGE-INTEGRITY of ${alen} bytes`);
      if (integrityOffset === null) integrityOffset = off;
      else ignoredAfterIntegrity++;
    } else if (at === ATTR.MESSAGE_INTEGRITY_SHA256) {
      // §14.6: 16 to 32 bytes in multiples of 4 (truncated HMACs allowed); may follow MESSAGE-INTEGRITY.
      if (alen < 16 || alen > 32 || alen % 4 !== 0)
        throw new StunError('bad-attribute', `MESSAGE-INTEGRITY-SHA256 of ${alen} bytes`);
      if (integritySha256Offset === null) integritySha256Offset = off;
      else ignoredAfterIntegrity++;
    } else if (integrityOffset !== null || integritySha256Offset !== null) {
      ignoredAfterIntegrity++;
    } else {
      attributes.push({ type: at, value });
    }
    off += 4 + padded;
  }
  return {
    method,
    cls,
    transactionId,
    cookie,
    attributes,
    raw,
    integrityOffset,
    integritySha256Offset,
    hasFingerprint,
    ignoredAfterIntegrity,
    classic: cookie !== MAGIC_COOKIE,
  };
}

/** RFC 8489 §14.5: true when MESSAGE-INTEGRITY is present and matches `key`. */
export function verifyIntegrity(msg: DecodedStunMessage, key: Uint8Array): boolean {
  const off = msg.integrityOffset;
  if (off === null) return false;
  const input = msg.raw.slice(0, off);
  setU16(input, 2, off - HEADER_LENGTH + 24);
  const mac = hmacSha1(key, input);
  return timingSafeEqualBytes(mac, msg.raw.slice(off + 4, off + 24));
}

/** RFC 8489 §14.6: true when MESSAGE-INTEGRITY-SHA256 is present and matches `key` (truncated MACs too). */
export function verifyIntegritySha256(msg: DecodedStunMessage, key: Uint8Array): boolean {
  const off = msg.integritySha256Offset;
  if (off === null) return false;
  const len = (msg.raw[off + 2]! << 8) | msg.raw[off + 3]!;
  const input = msg.raw.slice(0, off);
  setU16(input, 2, off - HEADER_LENGTH + 4 + len);
  const mac = hmacSha256(key, input).subarray(0, len);
  return timingSafeEqualBytes(mac, msg.raw.slice(off + 4, off + 4 + len));
}

export function transactionKey(tid: Uint8Array): string {
  let s = '';
  for (const x of tid) s += x.toString(16).padStart(2, '0');
  return s;
}
