/**
 * Placing a call — the UAC side of INVITE, RFC 3261 §13.2: the INVITE with our SDP offer (RFC 3264
 * §5), provisional responses (§13.2.2.1), CANCEL (§9.1), redirects (§8.1.3.4), a 2xx creating the
 * dialog (§13.2.2.4, dialog.ts) and its ACK. The client transaction under it (Timers A/B, §17.1.1)
 * is transactions.ts; challenges are answered by the request path (request-sender.ts).
 *
 * States of one attempt (one target; a redirect starts a new attempt on the same Call-ID):
 *
 * | state          | event                                 | next           | action                                |
 * | -------------- | ------------------------------------- | -------------- | ------------------------------------- |
 * | calling        | 1xx (§13.2.2.1)                       | proceeding     | report ringing (with any early SDP)   |
 * | calling        | cancel (abort, answer timeout)        | cancel-pending | none yet: §9.1 waits for a 1xx        |
 * | cancel-pending | 1xx                                   | cancelling     | send CANCEL (same branch, §9.1)       |
 * | proceeding     | cancel                                | cancelling     | send CANCEL                           |
 * | any but final  | 2xx                                   | answered       | dialog + ACK; if cancelling: BYE      |
 * | any but final  | 3xx with Contact (§8.1.3.4)           | terminated     | redirect: new attempt (≤ 3)           |
 * | any but final  | 4xx–6xx (487 after our CANCEL)        | terminated     | rejected / auth-failed / cancelled    |
 * | any but final  | Timer B (§17.1.1.2) / transport error | terminated     | timeout / transport-error             |
 *
 * The answer timeout runs from the first 1xx (the far end is alive and ringing; without any 1xx
 * Timer B decides, 64·T1 = 32 s) and is cut short by `giveUpAt`, the call's overall deadline. An
 * abort without any 1xx ends the wait after a 2 s grace. After our CANCEL the INVITE's final response
 * (487, or a 2xx that crossed the CANCEL and must be ended with BYE) is awaited for up to 4 s, so
 * the CANCEL and the ACK really leave before the call is torn down.
 *
 * Early media: the first SDP in a 18x is the answer when the 2xx carries none (RFC 3261 §13.2.1,
 * RFC 3264 §4: one answer per offer).
 */
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import { sleep, type TimerHandle } from '../clock/clock.ts';
import { Dialog } from './dialog.ts';
import { buildRequest } from './request-builder.ts';
import { sendRequest } from './request-sender.ts';
import { parseUri, randomToken, splitHeaderList, uriOfNameAddr, type SipResponse } from './sip-message.ts';
import { SipUnreachableError } from './transport.ts';
import type { UaCore } from './ua-core.ts';

export type InviteOutcome =
  | {
      answered: true;
      status: number;
      reason: string;
      /** The answer: the 2xx's SDP, else the early SDP of a 18x. */
      sdp: string;
      /** The answer came in a 18x (the 2xx had no SDP). */
      earlyAnswer: boolean;
      dialog: Dialog;
    }
  | {
      answered: false;
      status: number | null;
      /** The reason phrase of the final response, or what happened instead. */
      reason: string;
      /** The Warning header of a rejection (RFC 3261 §20.43), e.g. why a 488 refused our SDP. */
      warning?: string | null;
      /** It rang (a 1xx came) before we gave up. */
      rang?: boolean;
      kind:
        | 'rejected'
        | 'timeout'
        | 'cancelled'
        | 'transport-error'
        | 'unreachable'
        | 'auth-failed'
        | 'no-answer';
    };

export interface InviteRequest {
  target: string;
  sdp: string;
  signal?: AbortSignal;
  onProvisional?: (status: number, reason: string, sdp: string | null) => void;
  /** Bound for the answer once the far end rings (default: the UA's answerTimeoutMs). */
  answerTimeoutMs?: number;
  /** Clock time after which we stop waiting for an answer, whatever happens (overall deadline). */
  giveUpAt?: number;
}

const MAX_REDIRECTS = 3;
const ABORT_GRACE_MS = 2000;
/** After our CANCEL, how long the INVITE's final response (487) is awaited. */
const CANCEL_WAIT_MS = 4000;

/** Places a call; resolves once it is answered (ACK sent, dialog returned) or has failed. */
export async function placeCall(
  core: UaCore,
  dialogs: Set<Dialog>,
  o: InviteRequest,
): Promise<InviteOutcome> {
  const callId = `${randomToken(12)}@natscope`;
  let cseq = 0;
  let target = o.target;
  for (let redirects = 0; ; redirects++) {
    const toUri = parseUri(target);
    if (!toUri)
      return { answered: false, status: null, reason: `not a SIP URI: ${target}`, kind: 'rejected' };
    const dest = core.o.outboundProxyUri || redirects === 0 ? core.o.nextHop : await core.hopFor(target);
    if (!dest) return { answered: false, status: null, reason: `cannot resolve ${target}`, kind: 'rejected' };
    const attempt = new InviteAttempt(core, dialogs, { ...o, target, callId, dest, nextCseq: () => ++cseq });
    const outcome = await attempt.run();
    if (outcome.kind === 'redirect' && redirects < MAX_REDIRECTS) {
      target = outcome.to;
      continue;
    }
    if (outcome.kind === 'redirect')
      return { answered: false, status: outcome.status, reason: 'too many redirects', kind: 'rejected' };
    return outcome.result;
  }
}

type AttemptState = 'calling' | 'proceeding' | 'cancel-pending' | 'cancelling' | 'answered' | 'terminated';
type AttemptResult =
  { kind: 'redirect'; to: string; status: number } | { kind: 'done'; result: InviteOutcome };

class InviteAttempt {
  private state: AttemptState = 'calling';
  /** Branch of the INVITE that got the last 1xx (a challenge retry has a new one). */
  private provisionalBranch: string | null = null;
  private lastCseq = 0;
  private dialog: Dialog | null = null;
  /** The first SDP of a 18x: the answer when the 2xx has none. */
  private earlySdp: string | null = null;
  private armAnswerTimer: () => void = () => {};
  private readonly core: UaCore;
  private readonly dialogs: Set<Dialog>;
  private readonly o: InviteRequest & { callId: string; dest: Endpoint; nextCseq: () => number };

  constructor(core: UaCore, dialogs: Set<Dialog>, o: InviteAttempt['o']) {
    this.core = core;
    this.dialogs = dialogs;
    this.o = o;
  }

  private get cancelRequested(): boolean {
    return this.state === 'cancel-pending' || this.state === 'cancelling';
  }

  private onProvisional(res: SipResponse, branch: string): void {
    this.provisionalBranch = branch;
    if (res.statusCode > 100 && res.body && this.earlySdp === null) this.earlySdp = res.body;
    this.armAnswerTimer();
    this.o.onProvisional?.(res.statusCode, res.reasonPhrase, res.body || null);
    switch (this.state) {
      case 'calling':
        this.state = 'proceeding';
        return;
      case 'cancel-pending':
        this.sendCancel();
        return;
      default:
        return;
    }
  }

  /** The user aborted or nobody answered in time. */
  private cancel(): void {
    switch (this.state) {
      case 'calling':
        this.state = 'cancel-pending'; // §9.1: no CANCEL before a provisional response
        return;
      case 'proceeding':
        this.sendCancel();
        return;
      default:
        return;
    }
  }

  /** §9.1: CANCEL copies Request-URI, Call-ID, To, From, CSeq number and the top Via (same branch). */
  private sendCancel(): void {
    const branch = this.provisionalBranch;
    if (!branch) return;
    this.state = 'cancelling';
    const o = this.o;
    const text = buildRequest({
      method: 'CANCEL',
      ruri: o.target,
      via: this.core.via(branch),
      from: this.core.fromHeader(),
      to: `<${o.target}>`,
      callId: o.callId,
      cseq: this.lastCseq,
      routes: this.core.preloadedRoutes(),
      userAgent: this.core.userAgent,
    });
    this.core.layer.sendRequest(
      { method: 'CANCEL', branch, text, dest: o.dest },
      { onResponse() {}, onTimeout() {}, onTransportError() {} },
    );
  }

  async run(): Promise<AttemptResult> {
    const o = this.o;
    const clock = this.core.layer.clock;
    const onAbort = () => this.cancel();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const timers: TimerHandle[] = [];
    let giveUp: (why: 'no-answer' | 'deadline') => void = () => {};
    const gaveUp = new Promise<'no-answer' | 'deadline'>((resolve) => (giveUp = resolve));
    const deadlineIn = (o.giveUpAt ?? Infinity) - clock.now();
    if (Number.isFinite(deadlineIn))
      timers.push(clock.setTimeout(() => giveUp('deadline'), Math.max(0, deadlineIn)));
    let rang = false;
    this.armAnswerTimer = () => {
      if (rang) return;
      rang = true;
      const ms = o.answerTimeoutMs ?? this.core.o.answerTimeoutMs ?? 60_000;
      timers.push(clock.setTimeout(() => giveUp('no-answer'), ms));
    };
    const req = sendRequest(this.core, {
      method: 'INVITE',
      ruri: o.target,
      to: `<${o.target}>`,
      callId: o.callId,
      nextCseq: () => (this.lastCseq = o.nextCseq()),
      dest: o.dest,
      body: { type: 'application/sdp', text: o.sdp },
      onProvisional: (res, branch) => this.onProvisional(res, branch),
      onRetransmitted2xx: (res) => this.dialog?.reAck(res),
    });
    // If aborted before any provisional response, give up waiting after 2 s (no CANCEL possible).
    let go = () => {};
    const abortGrace = new Promise<'aborted'>((resolve) => {
      go = () => timers.push(clock.setTimeout(() => resolve('aborted'), ABORT_GRACE_MS));
      if (o.signal?.aborted) go();
      else o.signal?.addEventListener('abort', go, { once: true });
    });
    const raced = await Promise.race([req, gaveUp, abortGrace]);
    for (const t of timers) t.cancel();
    // Both listeners go: a long-lived signal (a monitor's) must not keep this call's dialog alive.
    o.signal?.removeEventListener('abort', onAbort);
    o.signal?.removeEventListener('abort', go);
    if (raced === 'no-answer' || raced === 'deadline' || raced === 'aborted') {
      // The attempt stays in cancel-pending / cancelling: a late 1xx still gets its CANCEL.
      this.cancel();
      if (this.state === 'cancelling') {
        // Let the CANCEL and the ACK for the 487 go out (and end a 2xx that crossed the CANCEL).
        const stop = new AbortController(); // the wait's timer must not outlive the 487
        const late = await Promise.race([
          req,
          sleep(clock, CANCEL_WAIT_MS, stop.signal).then(
            () => null,
            () => null,
          ),
        ]);
        stop.abort();
        if (late?.final) await this.onFinal(late.final, late.authFailed);
      }
      const aborted = raced === 'aborted';
      return this.done({
        answered: false,
        status: null,
        reason: aborted
          ? 'cancelled'
          : rang
            ? 'nobody answered in time'
            : 'no response to the INVITE in the time left',
        rang,
        kind: aborted ? 'cancelled' : rang ? 'no-answer' : 'timeout',
      });
    }
    if (!raced.final) {
      this.state = 'terminated';
      const timeout = raced.error === 'timeout';
      const err = raced.transportError;
      const unreachable = err instanceof SipUnreachableError;
      return this.done({
        answered: false,
        status: null,
        reason: timeout
          ? 'no response to the INVITE (Timer B expired)'
          : unreachable
            ? err.message
            : `transport error: ${err?.message ?? 'unknown'}`,
        kind: timeout ? 'timeout' : unreachable ? 'unreachable' : 'transport-error',
      });
    }
    return this.onFinal(raced.final, raced.authFailed);
  }

  private async onFinal(res: SipResponse, authFailed: boolean): Promise<AttemptResult> {
    const cancelled = this.cancelRequested;
    if (res.statusCode >= 200 && res.statusCode < 300) {
      this.state = 'answered';
      const dialog = new Dialog(this.core, res, {
        callId: this.o.callId,
        localCseq: this.lastCseq,
        defaultDest: this.o.dest,
        forget: (d) => this.dialogs.delete(d),
      });
      this.dialog = dialog;
      this.dialogs.add(dialog);
      await dialog.init();
      dialog.ack();
      if (cancelled) {
        // The 2xx crossed our CANCEL: the call is up and must be ended with BYE (§9.1). Its answer
        // is waited for as briefly as the 487's: a far end that also ignores the BYE must not hold
        // the call for Timer F (32 s) past its overall bound.
        await dialog.bye(CANCEL_WAIT_MS);
        return this.done({ answered: false, status: res.statusCode, reason: 'cancelled', kind: 'cancelled' });
      }
      const earlyAnswer = !res.body && this.earlySdp !== null;
      return {
        kind: 'done',
        result: {
          answered: true,
          status: res.statusCode,
          reason: res.reasonPhrase,
          sdp: res.body || (this.earlySdp ?? ''),
          earlyAnswer,
          dialog,
        },
      };
    }
    this.state = 'terminated';
    if (res.statusCode >= 300 && res.statusCode < 400) {
      const contact = res.getHeaders('contact').flatMap(splitHeaderList)[0];
      const to = contact ? uriOfNameAddr(contact) : null;
      if (to) return { kind: 'redirect', to, status: res.statusCode };
    }
    if (cancelled && res.statusCode === 487)
      return this.done({ answered: false, status: 487, reason: 'cancelled', kind: 'cancelled' });
    return this.done({
      answered: false,
      status: res.statusCode,
      reason: res.reasonPhrase,
      warning: res.getHeader('warning') ?? null,
      kind: authFailed ? 'auth-failed' : 'rejected',
    });
  }

  private done(result: InviteOutcome): AttemptResult {
    return { kind: 'done', result };
  }
}
