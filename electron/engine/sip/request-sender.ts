/**
 * The UAC core's request path — RFC 3261 §8.1: builds a request (§8.1.1), hands it to a new client
 * transaction (§17.1, transactions.ts), passes provisional responses and 2xx repeats up, and turns
 * the final response, Timer B/F (§8.1.3.1: treated like 408) or a transport error (§8.1.3.1: like
 * 503) into a value. Digest challenges are answered by authentication.ts, each retry in a new
 * transaction with a new branch and the next CSeq (§8.1.3.5). Never throws for peer behaviour.
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import { ChallengeResponder } from './authentication.ts';
import { buildRequest, newBranch } from './request-builder.ts';
import type { SipResponse } from './sip-message.ts';
import type { UaCore } from './ua-core.ts';

export interface OutgoingRequest {
  method: string;
  ruri: string;
  to: string;
  callId: string;
  nextCseq: () => number;
  dest: Endpoint;
  /** Route set (in-dialog, §12.2.1.1); default: the pre-loaded outbound proxy route. */
  routes?: string[];
  /** false: no Contact header (BYE). */
  contact?: boolean;
  extra?: [string, string][];
  body?: { type: string; text: string };
  onProvisional?: (res: SipResponse, branch: string) => void;
  /** A 2xx repeat, or a 2xx from another fork after the first (the INVITE's ACK must be re-sent). */
  onRetransmitted2xx?: (res: SipResponse) => void;
}

export interface RequestOutcome {
  final: SipResponse | null;
  /** Why there is no final response: Timer B/F fired, or the transport failed (ICMP, closed). */
  error: 'timeout' | 'transport-error' | null;
  /** The transport's error (a SipUnreachableError for ICMP port/host unreachable). */
  transportError: Error | null;
  authAlgorithm: string | null;
  /** Branch of the last transaction sent (CANCEL must reuse it, §9.1). */
  branch: string;
  authFailed: boolean;
}

/** Sends `o` in a new client transaction; resolves with its final response, answering challenges. */
export function sendRequest(core: UaCore, o: OutgoingRequest): Promise<RequestOutcome> {
  return new Promise((resolve) => {
    const auth = new ChallengeResponder(core.account, () => core.nextNonceCount());
    let authHeader: [string, string] | null = null;
    const send = () => {
      const branch = newBranch();
      const extra = [...(o.extra ?? [])];
      if (authHeader) extra.push(authHeader);
      const text = buildRequest({
        method: o.method,
        ruri: o.ruri,
        via: core.via(branch),
        from: core.fromHeader(),
        to: o.to,
        callId: o.callId,
        cseq: o.nextCseq(),
        contact: o.contact === false ? undefined : core.contactHeader(),
        routes: o.routes ?? core.preloadedRoutes(),
        userAgent: core.userAgent,
        extra,
        body: o.body,
      });
      let done = false;
      const settle = (
        final: SipResponse | null,
        error: RequestOutcome['error'],
        authFailed = false,
        transportError: Error | null = null,
      ) => resolve({ final, error, transportError, authAlgorithm: auth.algorithm, branch, authFailed });
      core.layer.sendRequest(
        { method: o.method, branch, text, dest: o.dest },
        {
          onResponse: (res, retransmission) => {
            if (retransmission) {
              o.onRetransmitted2xx?.(res);
              return;
            }
            if (res.statusCode < 200) {
              o.onProvisional?.(res, branch);
              return;
            }
            if (done) {
              if (res.statusCode < 300) o.onRetransmitted2xx?.(res); // 2xx from another fork
              return;
            }
            done = true;
            const step = auth.onFinal(res, { method: o.method, uri: o.ruri, body: o.body?.text });
            if (step.action === 'retry') {
              authHeader = step.header;
              send();
              return;
            }
            settle(res, null, step.authFailed);
          },
          onTimeout: () => {
            if (!done) settle(null, 'timeout');
            done = true;
          },
          onTransportError: (err) => {
            if (!done) settle(null, 'transport-error', false, err);
            done = true;
          },
        },
      );
    };
    send();
  });
}
