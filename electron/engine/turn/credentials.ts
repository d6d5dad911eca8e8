/**
 * TURN credentials — the long-term credential mechanism of RFC 8489 §9.2 (realm and nonce from the
 * server's 401, key MD5 or SHA-256 per PASSWORD-ALGORITHMS, §9.2.4 nonce cookie for the security
 * features), and the ephemeral "TURN REST API" credentials of coturn's `use-auth-secret` mode
 * (draft-uberti-behave-turn-rest-00 §2.2): username = "<expiry unix time>:<user>", password =
 * base64(HMAC-SHA1(shared secret, username)).
 */
import { createHmac } from 'node:crypto';
import type { PasswordAlgorithmValue } from '../stun/attr-password-algorithm.ts';
import { PASSWORD_ALGORITHM } from '../stun/constants.ts';
import { longTermKey, longTermKeySha256, userHash } from '../stun/integrity.ts';

export interface StaticCredentials {
  kind: 'static';
  username: string;
  /** Held in memory only; never logged or reported. */
  password: string;
}

export interface SecretCredentials {
  kind: 'secret';
  /** Shared secret of coturn's static-auth-secret; never logged or reported. */
  secret: string;
  /** The user part after the expiry (default "natscope"). */
  user?: string;
  /** How long the credentials are valid (default 1 hour). */
  ttlSeconds?: number;
}

export type TurnCredentials = StaticCredentials | SecretCredentials;

/** coturn REST credentials for `secret`, valid until now + ttl. */
export function restCredentials(
  secret: string,
  user: string,
  ttlSeconds: number,
  nowUnixSeconds: number,
): { username: string; password: string } {
  const username = `${Math.floor(nowUnixSeconds + ttlSeconds)}:${user}`;
  const password = createHmac('sha1', secret).update(username).digest('base64');
  return { username, password };
}

export function resolveCredentials(
  c: TurnCredentials,
  nowUnixSeconds: number,
): { username: string; password: string } {
  if (c.kind === 'static') return { username: c.username, password: c.password };
  return restCredentials(c.secret, c.user ?? 'natscope', c.ttlSeconds ?? 3600, nowUnixSeconds);
}

export const NONCE_COOKIE = 'obMatJos2';

/**
 * RFC 8489 §9.2 nonce cookie: "obMatJos2" then 4 base64 characters of a 24-bit security feature
 * set. Bit 0 (the most significant, in IETF bit order) = password algorithms, bit 1 = username
 * anonymity. Null when the nonce carries no cookie (an RFC 5389 server such as coturn 4.6).
 */
export function nonceFeatures(
  nonce: string,
): { passwordAlgorithms: boolean; usernameAnonymity: boolean } | null {
  if (!nonce.startsWith(NONCE_COOKIE) || nonce.length < NONCE_COOKIE.length + 4) return null;
  const b64 = nonce.slice(NONCE_COOKIE.length, NONCE_COOKIE.length + 4);
  if (!/^[A-Za-z0-9+/]{4}$/.test(b64)) return null;
  const bytes = Buffer.from(b64, 'base64');
  const bits = (bytes[0]! << 16) | (bytes[1]! << 8) | bytes[2]!;
  return { passwordAlgorithms: (bits & 0x800000) !== 0, usernameAnonymity: (bits & 0x400000) !== 0 };
}

export type PasswordAlgorithmName = 'md5' | 'sha256';

/**
 * §9.2.4: with PASSWORD-ALGORITHMS in the challenge the client picks the first algorithm it
 * supports from the server's list (in the server's order); without it, MD5 and no
 * PASSWORD-ALGORITHM attribute (the RFC 5389 behaviour). Null: the server offers nothing we know.
 */
export function pickPasswordAlgorithm(
  offered: PasswordAlgorithmValue[] | undefined,
): PasswordAlgorithmName | null {
  if (!offered) return 'md5';
  for (const a of offered) {
    if (a.algorithm === PASSWORD_ALGORITHM.SHA256) return 'sha256';
    if (a.algorithm === PASSWORD_ALGORITHM.MD5) return 'md5';
  }
  return null;
}

export interface LongTermSession {
  username: string;
  realm: string;
  nonce: string;
  algorithm: PasswordAlgorithmName;
  /** The server listed PASSWORD-ALGORITHMS: echo it and send PASSWORD-ALGORITHM (§9.2.5). */
  offered: PasswordAlgorithmValue[] | undefined;
  key: Uint8Array;
  /** Send USERHASH instead of USERNAME (the nonce cookie asked for username anonymity). */
  userHash: Uint8Array | null;
}

export function longTermSession(o: {
  username: string;
  password: string;
  realm: string;
  nonce: string;
  algorithm: PasswordAlgorithmName;
  offered: PasswordAlgorithmValue[] | undefined;
}): LongTermSession {
  const features = nonceFeatures(o.nonce);
  return {
    username: o.username,
    realm: o.realm,
    nonce: o.nonce,
    algorithm: o.algorithm,
    offered: o.offered,
    key:
      o.algorithm === 'sha256'
        ? longTermKeySha256(o.username, o.realm, o.password)
        : longTermKey(o.username, o.realm, o.password),
    userHash: features?.usernameAnonymity ? userHash(o.username, o.realm) : null,
  };
}
