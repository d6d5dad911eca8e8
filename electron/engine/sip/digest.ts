/**
 * HTTP Digest for SIP — RFC 3261 §22.4 (RFC 2617 / RFC 7616 computation) with the SHA-256
 * algorithms of RFC 8760. Plain MD5 challenges are answered by SIP.js's DigestAuthentication;
 * SIP.js refuses anything but MD5, so SHA-256, SHA-256-sess and MD5-sess are computed here. When a
 * response carries several challenges (RFC 8760 §2.4), the strongest supported one is used.
 * The password lives only in the `DigestCredentials` object in memory and is never logged.
 */
import { createHash, randomBytes } from 'node:crypto';
import { DigestAuthentication } from 'sip.js/lib/core/index.js';
import { sipLoggerFactory } from './sip-message.ts';

export interface DigestChallenge {
  realm: string;
  nonce: string;
  algorithm: string; // as sent; "MD5" when absent
  qop: string[]; // empty when absent
  opaque?: string;
  stale: boolean;
}

export interface DigestCredentials {
  username: string;
  password: string;
}

export interface DigestInput {
  challenge: DigestChallenge;
  credentials: DigestCredentials;
  method: string;
  uri: string;
  body?: string;
  nc: number;
  cnonce?: string;
}

const SUPPORTED = ['SHA-256', 'SHA-256-SESS', 'MD5', 'MD5-SESS'];

/** Parses one WWW-Authenticate / Proxy-Authenticate value; null if it is not a usable Digest challenge. */
export function parseChallenge(value: string): DigestChallenge | null {
  const m = /^\s*Digest\s+(.*)$/is.exec(value);
  if (!m) return null;
  const params = new Map<string, string>();
  const re = /([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g;
  for (let p = re.exec(m[1]!); p; p = re.exec(m[1]!))
    params.set(p[1]!.toLowerCase(), (p[2] ?? p[3] ?? '').replace(/\\(.)/g, '$1'));
  const realm = params.get('realm');
  const nonce = params.get('nonce');
  if (realm === undefined || !nonce) return null;
  const qop = (params.get('qop') ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  return {
    realm,
    nonce,
    algorithm: params.get('algorithm') ?? 'MD5',
    qop,
    opaque: params.get('opaque'),
    stale: (params.get('stale') ?? '').toLowerCase() === 'true',
  };
}

/** Picks the strongest challenge we support (RFC 8760 §2.4: SHA-256 before MD5). */
export function pickChallenge(values: string[]): DigestChallenge | null {
  const parsed = values.map(parseChallenge).filter((c): c is DigestChallenge => c !== null);
  const rank = (c: DigestChallenge) => SUPPORTED.indexOf(c.algorithm.toUpperCase());
  const usable = parsed.filter(
    (c) => rank(c) >= 0 && (c.qop.length === 0 || c.qop.includes('auth') || c.qop.includes('auth-int')),
  );
  usable.sort((a, b) => rank(a) - rank(b));
  return usable[0] ?? null;
}

export function isSupportedAlgorithm(a: string): boolean {
  return SUPPORTED.includes(a.toUpperCase());
}

function h(alg: string, s: string): string {
  return createHash(alg.toUpperCase().startsWith('SHA-256') ? 'sha256' : 'md5')
    .update(s, 'utf8')
    .digest('hex');
}

/** The Authorization / Proxy-Authorization header value for a challenge. */
export function digestAuthorization(i: DigestInput): string {
  const { challenge: c } = i;
  const alg = c.algorithm.toUpperCase();
  if (alg === 'MD5') return sipJsMd5(i);
  return ownDigest(i).header;
}

/** RFC 7616 §3.4 computation for any supported algorithm; exported for tests against §3.9.1. */
export function ownDigest(i: DigestInput): { response: string; header: string } {
  const c = i.challenge;
  const alg = c.algorithm;
  const qop = c.qop.includes('auth') ? 'auth' : c.qop.includes('auth-int') ? 'auth-int' : null;
  const cnonce = i.cnonce ?? randomBytes(12).toString('hex');
  const nc = i.nc.toString(16).padStart(8, '0');
  let ha1 = h(alg, `${i.credentials.username}:${c.realm}:${i.credentials.password}`);
  if (alg.toUpperCase().endsWith('-SESS')) ha1 = h(alg, `${ha1}:${c.nonce}:${cnonce}`);
  const ha2 =
    qop === 'auth-int'
      ? h(alg, `${i.method}:${i.uri}:${h(alg, i.body ?? '')}`)
      : h(alg, `${i.method}:${i.uri}`);
  const response = qop
    ? h(alg, `${ha1}:${c.nonce}:${nc}:${cnonce}:${qop}:${ha2}`)
    : h(alg, `${ha1}:${c.nonce}:${ha2}`);
  const parts = [
    `username="${i.credentials.username}"`,
    `realm="${c.realm}"`,
    `nonce="${c.nonce}"`,
    `uri="${i.uri}"`,
    `response="${response}"`,
    `algorithm=${alg}`,
  ];
  if (c.opaque !== undefined) parts.push(`opaque="${c.opaque}"`);
  if (qop) parts.push(`qop=${qop}`, `nc=${nc}`, `cnonce="${cnonce}"`);
  return { response, header: `Digest ${parts.join(', ')}` };
}

function sipJsMd5(i: DigestInput): string {
  const auth = new DigestAuthentication(
    sipLoggerFactory,
    undefined,
    i.credentials.username,
    i.credentials.password,
  );
  // SIP.js counts nonces per DigestAuthentication object; carry our count across.
  (auth as unknown as { nc: number }).nc = i.nc - 1;
  const challenge = {
    realm: i.challenge.realm,
    nonce: i.challenge.nonce,
    opaque: i.challenge.opaque,
    stale: i.challenge.stale,
    algorithm: 'MD5',
    qop: i.challenge.qop.length ? i.challenge.qop : undefined,
  };
  // authenticate() reads only `method` and `ruri` from the request.
  const ok = auth.authenticate({ method: i.method, ruri: i.uri } as never, challenge, i.body);
  if (!ok) throw new Error('SIP.js could not answer the MD5 digest challenge');
  return auth.toString();
}
