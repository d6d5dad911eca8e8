/**
 * MESSAGE-INTEGRITY — RFC 8489 §14.5 (HMAC-SHA1 over the message up to the attribute, header
 * length covering it), MESSAGE-INTEGRITY-SHA256 — §14.6 (HMAC-SHA256, same coverage), and the key
 * derivation of §9.1.1 (short-term: the password) and §9.2.2 (long-term: MD5 or, with
 * PASSWORD-ALGORITHM SHA-256, SHA-256 of username ":" realm ":" password). Passwords and realms go through a light
 * SASLprep/OpaqueString profile (RFC 4013 / RFC 8265): map "commonly mapped to nothing" code points
 * away, non-ASCII spaces to U+0020, then NFKC. Enough for the RFC 5769 vectors and real servers.
 */
import { utf8 } from './bytes.ts';

/**
 * node:crypto on first use, not at import: loading it initialises OpenSSL (≈ 2.5 MB of RSS), and
 * `natscope server` answering plain Binding requests never needs it (issue #19: idle memory).
 */
const nodeCrypto = () => process.getBuiltinModule('node:crypto');

// RFC 3454 B.1 (listed as alternatives: some are combining marks, which a character class would mangle)
const MAPPED_TO_NOTHING =
  /\u00AD|\u034F|\u1806|\u180B|\u180C|\u180D|\u200B|\u200C|\u200D|\u2060|[\uFE00-\uFE0F]|\uFEFF/g;
const NON_ASCII_SPACE = /[\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/g;

export function saslPrep(s: string): string {
  return s.replace(MAPPED_TO_NOTHING, '').replace(NON_ASCII_SPACE, ' ').normalize('NFKC');
}

export function shortTermKey(password: string): Uint8Array {
  return utf8(saslPrep(password));
}

function digestOf(alg: 'md5' | 'sha256', text: string): Uint8Array {
  const h = nodeCrypto().createHash(alg).update(utf8(text)).digest();
  return new Uint8Array(h.buffer, h.byteOffset, h.byteLength);
}

export function longTermKey(username: string, realm: string, password: string): Uint8Array {
  return digestOf('md5', `${username}:${saslPrep(realm)}:${saslPrep(password)}`);
}

/** §9.2.2 with the SHA-256 password algorithm (§18.5.1.2): a 32-byte key. */
export function longTermKeySha256(username: string, realm: string, password: string): Uint8Array {
  return digestOf('sha256', `${username}:${saslPrep(realm)}:${saslPrep(password)}`);
}

/** USERHASH value — §14.4: SHA-256(OpaqueString(username) ":" OpaqueString(realm)). */
export function userHash(username: string, realm: string): Uint8Array {
  return digestOf('sha256', `${saslPrep(username)}:${saslPrep(realm)}`);
}

export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  const d = nodeCrypto().createHmac('sha256', key).update(data).digest();
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

export function hmacSha1(key: Uint8Array, data: Uint8Array): Uint8Array {
  const d = nodeCrypto().createHmac('sha1', key).update(data).digest();
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** Constant-time comparison so integrity checks do not leak how many bytes matched. */
export function timingSafeEqualBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
