/**
 * Return routability for SIP over UDP: before the companion sends more than one small answer, or
 * anything later (200 OK retransmissions, echoed media, a callback INVITE), the source must show it
 * receives at the address it claims. A spoofer never sees our answers, so it cannot.
 *
 * The proof is a SIP digest challenge (RFC 3261 §22.1, §8.2.7 stateless UAS): an unverified request
 * gets one `401 Unauthorized` — no 100 Trying, no retransmission, no state kept — whose nonce is an
 * HMAC of (server secret, transport, source IP, source port, 30-second time bucket). A request whose
 * Authorization (realm "natscope-companion") carries that nonce, fresh (this or the previous
 * bucket) and made for its own source, is verified. The digest response itself is not checked: there
 * is no account and no password to protect; the nonce is the proof. Any user name and password do;
 * NatScope and the documented SIPp scenario use natscope / natscope.
 *
 * TCP needs none of this: the handshake already proves the source receives.
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import type { SipText } from '../../../shared/model/alg-sip.ts';
import { COMPANION_REALM } from '../../../shared/model/companion-challenge.ts';
import type { Clock } from '../clock/clock.ts';
import { buildResponse } from './sip-response.ts';

export const RR_BUCKET_MS = 30_000;

export type RrState = 'verified' | 'stale' | 'none';

/**
 * node:crypto on the first SIP request, not at start-up: loading it initialises OpenSSL (≈ 2.5 MB
 * of RSS) in a server that may only ever answer STUN (issue #19: idle memory).
 */
const nodeCrypto = () => process.getBuiltinModule('node:crypto');

export class ReturnRoutability {
  private readonly clock: Clock;
  /** Drawn on first use (see nodeCrypto). */
  private secret: Uint8Array | undefined;

  constructor(clock: Clock, secret?: Uint8Array) {
    this.clock = clock;
    this.secret = secret;
  }

  /** The nonce `source` must echo back over `transport` (valid for 30–60 s). */
  nonce(source: Endpoint, transport: string, bucket = this.bucket()): string {
    return `${bucket.toString(36)}.${this.mac(`${transport}|${source.address}|${source.port}|${bucket}`)}`;
  }

  /**
   * 'verified': an Authorization for our realm carries a fresh nonce made for this very source;
   * 'stale': it carries one of ours that is too old or made for another source (answer stale=true);
   * 'none': no Authorization for our realm.
   */
  check(msg: SipText, source: Endpoint, transport: string): RrState {
    let seen = false;
    for (const h of msg.headers) {
      if (h.name !== 'Authorization' || !/^\s*Digest\s/i.test(h.value)) continue;
      if (param(h.value, 'realm') !== COMPANION_REALM) continue;
      seen = true;
      const nonce = param(h.value, 'nonce') ?? '';
      const dot = nonce.indexOf('.');
      const bucket = parseInt(nonce.slice(0, dot), 36);
      const now = this.bucket();
      if (dot < 1 || !(bucket === now || bucket === now - 1)) continue;
      const want = Buffer.from(this.nonce(source, transport, bucket));
      const got = Buffer.from(nonce);
      if (got.length === want.length && nodeCrypto().timingSafeEqual(got, want)) return 'verified';
    }
    return seen ? 'stale' : 'none';
  }

  /** The stateless 401 for `msg` (the To tag is derived from the request, so a retransmission gets the same one). */
  challenge(msg: SipText, source: Endpoint, transport: string, stale: boolean): string {
    const callId = msg.headers.find((h) => h.name === 'Call-ID')?.value ?? '';
    return buildResponse(msg, 401, 'Unauthorized', {
      toTag: this.mac(`tag|${callId}`).slice(0, 10),
      server: false,
      extra: [
        `WWW-Authenticate: Digest realm="${COMPANION_REALM}", nonce="${this.nonce(source, transport)}", algorithm=MD5${stale ? ', stale=true' : ''}`,
      ],
    });
  }

  private bucket(): number {
    return Math.floor(this.clock.now() / RR_BUCKET_MS);
  }

  private mac(text: string): string {
    this.secret ??= nodeCrypto().randomBytes(32);
    return nodeCrypto().createHmac('sha256', this.secret).update(text).digest('base64url').slice(0, 22);
  }
}

function param(value: string, name: string): string | undefined {
  const m = new RegExp(`[\\s,]${name}\\s*=\\s*(?:"([^"]*)"|([^\\s,]+))`, 'i').exec(value);
  return m ? (m[1] ?? m[2]) : undefined;
}
