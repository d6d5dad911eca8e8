/**
 * Registration — RFC 3261 §10.2: REGISTER with our Contact (§10.2.1), refresh before the granted
 * expiry (§10.2.4, same Call-ID, CSeq + 1 per §10.2), removal with Expires: 0 (§10.2.2). Digest
 * challenges are answered by the request path (request-sender.ts → authentication.ts).
 *
 * States and transitions:
 *
 * | state        | event                              | next         | action                                   |
 * | ------------ | ---------------------------------- | ------------ | ---------------------------------------- |
 * | unregistered | register(expires > 0) → 2xx        | registered   | arm refresh at granted − min(32, g/2) s  |
 * |              |                                    |              | (not with `refresh: false`: an idle test) |
 * | registered   | refresh timer fires                | registered   | REGISTER again with the same expires     |
 * | registered   | register() → 2xx with granted 0    | registered   | no refresh armed                         |
 * | any          | REGISTER fails (error, timeout)    | (unchanged)  | report; a failed refresh is not retried  |
 * | registered   | unregister()                       | unregistered | REGISTER Expires: 0                      |
 * | unregistered | unregister()                       | unregistered | nothing to remove (null)                 |
 *
 * Inbound calls on the registered flow belong beside this file: the flow is the UA's transport,
 * incoming requests reach incoming-requests.ts (an inbound-call test answers them with
 * inbound-call.ts), keep-alives on the flow are keepalive.ts (RFC 5626 §4.4.1).
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import { formatEndpoint } from '../../../shared/model/endpoint.ts';
import type { TimerHandle } from '../clock/clock.ts';
import { sendRequest } from './request-sender.ts';
import { randomToken, splitHeaderList, uriOfNameAddr } from './sip-message.ts';
import type { SipAccount, UaCore, ViaObservation } from './ua-core.ts';
import { SipUnreachableError } from './transport.ts';

export interface RegisterOutcome {
  ok: boolean;
  status: number | null;
  reason: string;
  expires: number | null;
  authAlgorithm: string | null;
  via: ViaObservation | null;
  /** Why no final response came: Timer F, an ICMP error (nothing listens, host unreachable), or another transport error. */
  failure: 'timeout' | 'unreachable' | 'transport-error' | null;
}

export interface RegisterOptions {
  /** Extra headers on every REGISTER (e.g. `X-NatScope-Callback`). */
  extra?: [string, string][];
  /** false: no refresh REGISTER (default true). */
  refresh?: boolean;
}

type RegistrationState = 'unregistered' | 'registered';

export class Registration {
  private readonly core: UaCore;
  private readonly callId = `${randomToken(12)}@natscope`;
  private cseq = 0;
  private state: RegistrationState = 'unregistered';
  private refreshTimer: TimerHandle | null = null;

  constructor(core: UaCore) {
    this.core = core;
  }

  private get registrarHop(): Endpoint {
    return this.core.o.registrarHop ?? this.core.o.nextHop;
  }

  /**
   * REGISTER with digest; on success schedules refreshes until `unregister()` or `close()`, unless
   * `refresh` is false (a test that must keep the flow silent). `extra` headers go on every
   * REGISTER of this call, the credentialed retry included.
   */
  async register(expires = 300, o: RegisterOptions = {}): Promise<RegisterOutcome> {
    const acc = this.core.account;
    if (!acc) throw new Error('register() needs an account');
    const r = await sendRequest(this.core, {
      method: 'REGISTER',
      ruri: `sip:${acc.domain}`,
      to: aorOf(acc),
      callId: this.callId,
      nextCseq: () => ++this.cseq,
      dest: this.registrarHop,
      extra: [['Expires', String(expires)], ...(o.extra ?? [])],
    });
    const via = this.core.firstVia;
    if (!r.final) {
      const err = r.transportError;
      const failure =
        r.error === 'timeout'
          ? 'timeout'
          : err instanceof SipUnreachableError
            ? 'unreachable'
            : 'transport-error';
      const reason =
        failure === 'timeout'
          ? 'no response from the registrar (Timer F)'
          : failure === 'unreachable'
            ? err!.message
            : `transport error: ${err?.message ?? 'unknown'}`;
      return { ok: false, status: null, reason, expires: null, authAlgorithm: r.authAlgorithm, via, failure };
    }
    const res = r.final;
    if (res.statusCode >= 300) {
      const reason = r.authFailed
        ? `${res.statusCode} ${res.reasonPhrase}: the registrar rejected the credentials`
        : `${res.statusCode} ${res.reasonPhrase}`;
      return {
        ok: false,
        status: res.statusCode,
        reason,
        expires: null,
        authAlgorithm: r.authAlgorithm,
        via,
        failure: null,
      };
    }
    const granted = grantedExpiry(res, this.core.o.contact, expires);
    this.state = expires > 0 ? 'registered' : 'unregistered';
    this.refreshTimer?.cancel();
    if (this.state === 'registered' && granted > 0 && o.refresh !== false) {
      const refreshIn = Math.max(5, granted - Math.min(32, granted / 2)) * 1000;
      this.refreshTimer = this.core.layer.clock.setTimeout(() => void this.register(expires, o), refreshIn);
    }
    return {
      ok: true,
      status: res.statusCode,
      reason: `${res.statusCode} ${res.reasonPhrase}`,
      expires: granted,
      authAlgorithm: r.authAlgorithm,
      via,
      failure: null,
    };
  }

  async unregister(): Promise<RegisterOutcome | null> {
    this.refreshTimer?.cancel();
    if (this.state !== 'registered') return null;
    this.state = 'unregistered';
    return this.register(0);
  }

  close(): void {
    this.refreshTimer?.cancel();
  }
}

function aorOf(acc: SipAccount): string {
  return `<sip:${acc.username}@${acc.domain}>`;
}

/** Granted expiry: our Contact's expires param, else the Expires header (RFC 3261 §10.2.4). */
function grantedExpiry(
  res: { getHeaders(n: string): string[]; getHeader(n: string): string | undefined },
  contact: Endpoint | string,
  asked: number,
): number {
  let granted: number | null = null;
  for (const c of res.getHeaders('contact').flatMap(splitHeaderList)) {
    const e = /;\s*expires\s*=\s*(\d+)/i.exec(c);
    if (e && uriOfNameAddr(c)?.includes(typeof contact === 'string' ? contact : formatEndpoint(contact)))
      granted = Number(e[1]);
  }
  if (granted !== null) return granted;
  const e = Number(res.getHeader('expires'));
  return Number.isFinite(e) && res.getHeader('expires') !== undefined ? e : asked;
}
