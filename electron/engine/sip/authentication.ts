/**
 * Answering digest challenges for one request — RFC 3261 §22.2 (401 + WWW-Authenticate →
 * Authorization), §22.3 (407 + Proxy-Authenticate → Proxy-Authorization), §8.1.3.5 (re-send with
 * credentials in a new transaction), RFC 7616 §3.3 (a `stale=true` challenge gets one more try with
 * the new nonce). The digest itself is computed in digest.ts; the password never leaves it.
 * Without an account, the one challenge answered is a `natscope server`'s return-routability 401
 * (realm "natscope-companion", shared/model/companion-challenge.ts): it proves we receive at our
 * address, so its fixed user name and password are no secret.
 *
 * States and transitions (one responder per request, so a refreshed REGISTER starts afresh):
 *
 * | state        | final response                                   | next         | action                     |
 * | ------------ | ------------------------------------------------ | ------------ | -------------------------- |
 * | any          | not 401/407, or no credentials to answer with    | (unchanged)  | pass the response up       |
 * | unchallenged | 401/407 with a challenge we support (§22.2/22.3) | answered     | re-send with credentials   |
 * | answered     | 401/407 `stale=true`, rounds < MAX_AUTH_ROUNDS   | answered     | re-send with the new nonce |
 * | unchallenged | 401/407 with no challenge we support             | rejected     | pass up as auth failure    |
 * | answered     | 401/407 again (not stale, or out of rounds)      | rejected     | pass up as auth failure    |
 */
import { COMPANION_CREDENTIALS, COMPANION_REALM } from '../../../shared/model/companion-challenge.ts';
import { digestAuthorization, pickChallenge } from './digest.ts';
import type { SipResponse } from './sip-message.ts';
import type { SipAccount } from './ua-core.ts';

/** Credentials are sent at most this many times per request (first answer + one stale retry). */
export const MAX_AUTH_ROUNDS = 2;

type AuthState = 'unchallenged' | 'answered' | 'rejected';

export type AuthStep =
  /** Re-send the request with `header` added (a new transaction, new branch, next CSeq). */
  | { action: 'retry'; header: [string, string] }
  /** This final response is the request's outcome; `authFailed` when credentials were refused. */
  | { action: 'final'; authFailed: boolean };

export class ChallengeResponder {
  private state: AuthState = 'unchallenged';
  private rounds = 0;
  /** Algorithm of the last challenge answered (reported, e.g. "SHA-256"). */
  algorithm: string | null = null;
  private readonly account: SipAccount | undefined;
  private readonly nextNonceCount: () => number;

  constructor(account: SipAccount | undefined, nextNonceCount: () => number) {
    this.account = account;
    this.nextNonceCount = nextNonceCount;
  }

  /** Decides what a final response means for the request `{method, uri, body}`. */
  onFinal(res: SipResponse, req: { method: string; uri: string; body?: string }): AuthStep {
    const code = res.statusCode;
    if (code !== 401 && code !== 407) return { action: 'final', authFailed: false };
    const challenge = pickChallenge(res.getHeaders(code === 401 ? 'www-authenticate' : 'proxy-authenticate'));
    const credentials = this.account
      ? { username: this.account.authUsername ?? this.account.username, password: this.account.password }
      : code === 401 && challenge?.realm === COMPANION_REALM
        ? COMPANION_CREDENTIALS
        : null;
    if (!credentials) return { action: 'final', authFailed: false };
    switch (this.state) {
      case 'unchallenged':
        if (!challenge) return this.reject();
        break;
      case 'answered':
        // A second challenge is a rejection, unless the nonce only went stale (RFC 7616 §3.3).
        if (!challenge?.stale || this.rounds >= MAX_AUTH_ROUNDS) return this.reject();
        break;
      case 'rejected':
        return { action: 'final', authFailed: true };
    }
    this.state = 'answered';
    this.rounds++;
    this.algorithm = challenge.algorithm;
    const header = digestAuthorization({
      challenge,
      credentials,
      method: req.method,
      uri: req.uri,
      body: req.body,
      nc: this.nextNonceCount(),
    });
    return { action: 'retry', header: [code === 401 ? 'Authorization' : 'Proxy-Authorization', header] };
  }

  private reject(): AuthStep {
    this.state = 'rejected';
    return { action: 'final', authFailed: true };
  }
}
